// Development provider: sends nothing, logs that the code is the fixed
// OTP_DEV_CODE, and accepts only that code. Refused in production by config.

import { timingSafeEqual } from 'node:crypto';
import type { OtpProvider, CodeCheckOutcome, ProviderLogger } from './provider.js';

export interface ConsoleOtpOptions {
  devCode: string;
  logger: ProviderLogger;
  /** The emails of the users of a phone, so the line says whom the code is for (masked: the log is not a directory). */
  recipientsOf?: (phoneE164: string) => Promise<string[]>;
}

/** "admin@boreal.com" → "a•••@boreal.com": enough to tell two people apart in a development log. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

export function createConsoleOtpProvider(options: ConsoleOtpOptions): OtpProvider {
  const expected = Buffer.from(options.devCode);
  const whom = async (phoneE164: string) => {
    const emails = (await options.recipientsOf?.(phoneE164).catch(() => [])) ?? [];
    return emails.length === 0 ? '' : ` (for ${emails.map(maskEmail).join(', ')})`;
  };
  return {
    name: 'console',
    async startVerification(phoneE164) {
      // The fixed development code is printed on purpose: there is no SMS in
      // development. A logger set above warn prints nothing: then whom it is for is not looked up either.
      if (options.logger.isLevelEnabled?.('warn') !== false) {
        options.logger.warn(`DEV MODE: Your OTP code is: ${options.devCode}${await whom(phoneE164)}`);
      }
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
