// Development provider: sends nothing, logs that the code is the fixed
// OTP_DEV_CODE, and accepts only that code. Refused in production by config.

import { timingSafeEqual } from 'node:crypto';
import type { OtpProvider, CodeCheckOutcome, ProviderLogger } from './provider.js';

export function createConsoleOtpProvider(options: { devCode: string; logger: ProviderLogger }): OtpProvider {
  const expected = Buffer.from(options.devCode);
  return {
    name: 'console',
    async startVerification() {
      // The fixed development code is printed on purpose: there is no SMS in development.
      options.logger.warn(`DEV MODE: Your OTP code is: ${options.devCode}`);
      return { providerRef: null };
    },
    async checkCode({ code }): Promise<CodeCheckOutcome> {
      const given = Buffer.from(code);
      const matches = given.length === expected.length && timingSafeEqual(given, expected);
      return matches ? 'approved' : 'wrong';
    },
    async cancelVerification() {},
    async checkHealth() {
      return { ok: true, detail: 'console provider (development): codes are logged, not sent' };
    },
  };
}
