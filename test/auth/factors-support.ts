// Helpers of the second-factor suites: an OTP provider that records what it
// was asked to send (and can be made to fail), enrolling an authenticator
// through the routes, and computing its codes from the shown secret at the
// test clock's 30-second step.

import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { expect } from 'vitest';
import { AppError } from '../../src/errors.js';
import { codeAtStep, currentStep } from '../../src/auth/factors/totp.js';
import { createConsoleOtpProvider } from '../../src/otp/console.js';
import type { DeliveryChannel, OtpProvider } from '../../src/otp/provider.js';
import { bearer, json, postJson, signIn, type TestApp } from '../helpers/app.js';

export interface RecordingProvider extends OtpProvider {
  sent: { phone: string; channel: DeliveryChannel }[];
  /** When true, every send and check fails as a provider that is down. */
  down: boolean;
  /**
   * From now on, checks of `code` wait at the provider until the returned
   * release is called; `waiting()` resolves once one such check has begun.
   */
  holdChecksOf(code: string): { waiting: Promise<void>; release: () => void };
}

export function recordingProvider(): RecordingProvider {
  const inner = createConsoleOtpProvider({ devCode: '123456', logger: { info() {}, warn() {}, error() {} } as never });
  let hold: { code: string; started: () => void; released: Promise<void> } | undefined;
  const provider: RecordingProvider = {
    ...inner,
    sent: [],
    down: false,
    holdChecksOf(code) {
      let started!: () => void;
      let release!: () => void;
      const waiting = new Promise<void>((resolve) => (started = resolve));
      hold = { code, started, released: new Promise<void>((resolve) => (release = resolve)) };
      return { waiting, release };
    },
    async startVerification(phone, channel = 'sms') {
      if (provider.down) throw new AppError('OTP_PROVIDER_UNAVAILABLE');
      provider.sent.push({ phone, channel });
      return inner.startVerification(phone, channel);
    },
    async checkCode(input) {
      if (provider.down) throw new AppError('OTP_PROVIDER_UNAVAILABLE');
      if (hold && input.code === hold.code) {
        hold.started();
        await hold.released;
      }
      return inner.checkCode(input);
    },
  };
  return provider;
}

/** The authenticator's code at the test clock's step, or `offset` steps away. */
export function totpCode(t: TestApp, secret: string, offset = 0): string {
  return codeAtStep(decodeBase32IgnorePadding(secret), currentStep(t.clock) + offset);
}

export interface EnrolledUser {
  accessToken: string;
  secret: string;
  recoveryCodes: string[];
}

/** Signs the user in by SMS, enrolls an authenticator through the routes and confirms it; moves the clock one step on so the next sign-in's code is fresh. */
export async function enrollAuthenticator(t: TestApp, user: { email: string; password: string }): Promise<EnrolledUser> {
  const { accessToken } = await signIn(t.app, user.email, user.password);
  const started = await t.app.inject({ method: 'POST', url: '/api/auth/totp', headers: bearer(accessToken) });
  expect(started.statusCode, started.body).toBe(200);
  const { secret } = json<{ secret: string }>(started);
  const confirmed = await postJson(t.app, '/api/auth/totp/confirm', { code: totpCode(t, secret) }, bearer(accessToken));
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  t.clock.advanceSeconds(30);
  return { accessToken, secret, recoveryCodes: json<{ recoveryCodes: string[] }>(confirmed).recoveryCodes };
}

/** The payload of a JWT, unverified (the suites read `amr`). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
