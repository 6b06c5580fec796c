// The Twilio Verify adapter through the real SDK and real HTTP against the
// loopback fake: what matters is that Twilio's wire answers keep their meaning
// as catalogue errors and that nothing private reaches the logs.

import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TwilioSettings } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import type { ProviderLogger } from '../../src/otp/provider.js';
import { createTwilioVerifyProvider } from '../../src/otp/twilio-verify.js';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';

// Hex-shaped stand-ins, built here so nothing resembling a real secret is committed.
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const AUTH_TOKEN = 'b'.repeat(32);
const SERVICE_SID = 'VA' + 'c'.repeat(32);
const PHONE = '+16135550134';

interface LogCall {
  level: string;
  args: unknown[];
  text: string;
}

function captureLogger(): { logger: ProviderLogger; calls: LogCall[] } {
  const calls: LogCall[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      let json = '';
      try {
        json = JSON.stringify(args);
      } catch {
        json = '';
      }
      // inspect shows what JSON hides (error messages, nested causes); both are checked.
      calls.push({ level, args, text: `${inspect(args, { depth: null, showHidden: true })}\n${json}` });
    };
  const logger = { info: record('info'), warn: record('warn'), error: record('error') } as unknown as ProviderLogger;
  return { logger, calls };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the call to fail');
}

let fake: FakeTwilio;

beforeEach(async () => {
  fake = await startFakeTwilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID });
});

afterEach(async () => {
  await fake.close();
});

function settings(overrides: Partial<TwilioSettings> = {}): TwilioSettings {
  return { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, verifyServiceSid: SERVICE_SID, baseUrl: fake.url, timeoutMs: 2000, ...overrides };
}

function provider(overrides: Partial<TwilioSettings> = {}, log = captureLogger()) {
  return { otp: createTwilioVerifyProvider(settings(overrides), log.logger), calls: log.calls };
}

describe('twilio-verify provider: happy paths', () => {
  it('sends an SMS verification and approves the code Twilio generated', async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    expect(providerRef).toMatch(/^VE[0-9a-f]{32}$/);
    expect(fake.sent).toEqual([{ to: PHONE, channel: 'sms' }]);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: `/v2/Services/${SERVICE_SID}/Verifications` });
    const code = fake.lastCode(PHONE)!;
    expect(await otp.checkCode({ phoneE164: PHONE, code, providerRef })).toBe('approved');
    expect(fake.requests[1]!.form).toMatchObject({ VerificationSid: providerRef });
  });

  it('a voice call goes through the Verify call channel, and its code is checked alike', async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE, 'call');
    expect(fake.sent).toEqual([{ to: PHONE, channel: 'call' }]);
    expect(fake.requests[0]!.form).toMatchObject({ Channel: 'call' });
    expect(await otp.checkCode({ phoneE164: PHONE, code: fake.lastCode(PHONE)!, providerRef })).toBe('approved');
  });

  it('checks by phone number when there is no providerRef', async () => {
    const { otp } = provider();
    await otp.startVerification(PHONE);
    expect(await otp.checkCode({ phoneE164: PHONE, code: fake.lastCode(PHONE)!, providerRef: null })).toBe('approved');
    expect(fake.requests[1]!.form).toMatchObject({ To: PHONE });
  });

  it('rejects a wrong code, and still approves the right one afterwards', async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    const right = fake.lastCode(PHONE)!;
    const wrong = right === '000000' ? '111111' : '000000';
    expect(await otp.checkCode({ phoneE164: PHONE, code: wrong, providerRef })).toBe('wrong');
    expect(await otp.checkCode({ phoneE164: PHONE, code: right, providerRef })).toBe('approved');
  });

  it("answers Twilio's own wrong-code limit (60202 after 5 wrong checks) as the verdict 'exhausted'", async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    const right = fake.lastCode(PHONE)!;
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expect(await otp.checkCode({ phoneE164: PHONE, code: wrong, providerRef })).toBe('wrong');
    }
    expect(await otp.checkCode({ phoneE164: PHONE, code: right, providerRef })).toBe('exhausted');
  });

  it("a new send replaces the pending verification; the old one answers the verdict 'expired'", async () => {
    const { otp } = provider();
    const first = await otp.startVerification(PHONE);
    const firstCode = fake.lastCode(PHONE)!;
    const second = await otp.startVerification(PHONE);
    expect(second.providerRef).not.toBe(first.providerRef);
    expect(await otp.checkCode({ phoneE164: PHONE, code: firstCode, providerRef: first.providerRef })).toBe('expired');
    expect(await otp.checkCode({ phoneE164: PHONE, code: fake.lastCode(PHONE)!, providerRef: second.providerRef })).toBe('approved');
  });

  it("an approved verification is gone: checking again answers the verdict 'expired' (Twilio 20404)", async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    const code = fake.lastCode(PHONE)!;
    await otp.checkCode({ phoneE164: PHONE, code, providerRef });
    expect(await otp.checkCode({ phoneE164: PHONE, code, providerRef })).toBe('expired');
  });
});

describe('twilio-verify provider: Twilio errors', () => {
  const cases: { twilio: number; status?: number; on: 'start' | 'check'; expected: string; retryAfter?: number }[] = [
    { twilio: 60200, on: 'start', expected: 'OTP_DELIVERY_FAILED' },
    { twilio: 60205, on: 'start', expected: 'OTP_DELIVERY_FAILED' },
    { twilio: 60410, on: 'start', expected: 'OTP_DELIVERY_FAILED' },
    { twilio: 60412, on: 'start', expected: 'OTP_DELIVERY_FAILED' },
    { twilio: 60203, on: 'start', expected: 'OTP_RATE_LIMITED', retryAfter: 600 },
    { twilio: 60212, on: 'start', expected: 'OTP_RATE_LIMITED', retryAfter: 60 },
    { twilio: 20404, on: 'start', expected: 'OTP_PROVIDER_UNAVAILABLE' },
    { twilio: 20003, on: 'start', expected: 'OTP_PROVIDER_UNAVAILABLE' },
    { twilio: 20429, on: 'start', expected: 'OTP_PROVIDER_UNAVAILABLE' },
    { twilio: 500, status: 500, on: 'start', expected: 'OTP_PROVIDER_UNAVAILABLE' },
    { twilio: 500, status: 500, on: 'check', expected: 'OTP_PROVIDER_UNAVAILABLE' },
  ];

  it.each(cases)('Twilio $twilio on $on → $expected', async ({ twilio, status, on, expected, retryAfter }) => {
    const { otp, calls } = provider();
    let providerRef: string | null = null;
    if (on === 'check') providerRef = (await otp.startVerification(PHONE)).providerRef;
    fake.failNext(twilio, status);
    const before = fake.requests.length;
    const error = await caught(
      on === 'start' ? otp.startVerification(PHONE) : otp.checkCode({ phoneE164: PHONE, code: '123456', providerRef }),
    );
    expect(error.code).toBe(expected);
    if (retryAfter !== undefined) expect(error.retryAfterSeconds).toBe(retryAfter);
    // No automatic retry, even on 429s: our own limits must see every attempt.
    expect(fake.requests.length).toBe(before + 1);
    const logged = calls.at(-1)!;
    expect(logged.args[0]).toMatchObject({ twilioCode: twilio < 1000 ? 20000 + twilio : twilio, mappedTo: expected });
    expect((logged.args[0] as { requestId: string }).requestId).toMatch(/^RQ[0-9a-f]{32}$/);
  });

  it.each([
    [60202, 'exhausted'],
    [20404, 'expired'],
  ] as const)('Twilio %i on a check is a verdict, answered as the value %s and logged with its Twilio code', async (twilio, verdict) => {
    const { otp, calls } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    fake.failNext(twilio);
    expect(await otp.checkCode({ phoneE164: PHONE, code: '123456', providerRef })).toBe(verdict);
    expect(calls.at(-1)!.args[0]).toMatchObject({ twilioCode: twilio, mappedTo: verdict });
  });

  it('60203 tells the client to come back in 10 minutes', async () => {
    const { otp } = provider();
    fake.failNext(60203);
    const error = await caught(otp.startVerification(PHONE));
    expect(error).toMatchObject({ code: 'OTP_RATE_LIMITED', status: 429, retryAfterSeconds: 600 });
    expect(error.detail).toBe('Too many OTP requests. Try again in 10 minutes.');
  });
});

describe('twilio-verify provider: outages and credentials', () => {
  it('a Twilio slower than timeoutMs → OTP_PROVIDER_UNAVAILABLE, promptly', async () => {
    const { otp, calls } = provider({ timeoutMs: 300 });
    fake.setMode('slow');
    const started = Date.now();
    expect((await caught(otp.startVerification(PHONE))).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(calls.at(-1)!.level).toBe('error');
    expect(calls.at(-1)!.args[0]).toMatchObject({ reason: 'ETIMEDOUT' });
  });

  it('a Twilio that drops the connection → OTP_PROVIDER_UNAVAILABLE; health names TWILIO_VERIFY_BASE_URL', async () => {
    const { otp } = provider();
    fake.setMode('down');
    expect((await caught(otp.startVerification(PHONE))).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    const health = await otp.checkHealth();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('TWILIO_VERIFY_BASE_URL');
  });

  it('nothing listening (connection refused) → OTP_PROVIDER_UNAVAILABLE', async () => {
    const closed = await startFakeTwilioVerify();
    await closed.close();
    const { otp } = provider({ baseUrl: closed.url });
    expect((await caught(otp.startVerification(PHONE))).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    expect((await otp.checkHealth()).detail).toMatch(/TWILIO_VERIFY_BASE_URL.*network/);
  });

  it('a refused auth token → OTP_PROVIDER_UNAVAILABLE, and health names TWILIO_AUTH_TOKEN', async () => {
    const { otp } = provider({ authToken: 'd'.repeat(32) });
    expect((await caught(otp.startVerification(PHONE))).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    const health = await otp.checkHealth();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('TWILIO_AUTH_TOKEN');
    expect(health.detail).toMatch(/refused/);
  });

  it('health: ok for the configured service, names TWILIO_VERIFY_SERVICE_SID for an unknown one', async () => {
    expect(await provider().otp.checkHealth()).toEqual({ ok: true, detail: `twilio-verify: service ${SERVICE_SID} reachable` });
    const unknown = await provider({ verifyServiceSid: 'VA' + 'e'.repeat(32) }).otp.checkHealth();
    expect(unknown.ok).toBe(false);
    expect(unknown.detail).toContain('TWILIO_VERIFY_SERVICE_SID');
  });
});

describe('twilio-verify provider: cancel', () => {
  it('cancels the pending verification at Twilio', async () => {
    const { otp } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    await otp.cancelVerification({ phoneE164: PHONE, providerRef });
    expect(fake.canceled).toEqual([providerRef]);
    expect(await otp.checkCode({ phoneE164: PHONE, code: fake.lastCode(PHONE)!, providerRef })).toBe('expired');
  });

  it('does nothing without a providerRef', async () => {
    await provider().otp.cancelVerification({ phoneE164: PHONE, providerRef: null });
    expect(fake.requests).toEqual([]);
  });

  it('never throws: a failed cancel is logged as a warning', async () => {
    const { otp, calls } = provider();
    const { providerRef } = await otp.startVerification(PHONE);
    fake.failNext(500, 500);
    await expect(otp.cancelVerification({ phoneE164: PHONE, providerRef })).resolves.toBeUndefined();
    expect(calls.at(-1)!.level).toBe('warn');
    expect(calls.at(-1)!.args[0]).toMatchObject({ operation: 'cancel', twilioCode: 20500, httpStatus: 500 });
    fake.setMode('down');
    await expect(otp.cancelVerification({ phoneE164: PHONE, providerRef })).resolves.toBeUndefined();
  });
});

describe('twilio-verify provider: logs', () => {
  it('never logs the auth token, a code or the whole phone number', async () => {
    const log = captureLogger();
    const { otp, calls } = provider({}, log);
    const { providerRef } = await otp.startVerification(PHONE);
    const right = fake.lastCode(PHONE)!;
    const wrong = right === '987654' ? '456789' : '987654';
    await otp.checkCode({ phoneE164: PHONE, code: wrong, providerRef });
    for (const code of [60200, 60202, 20003, 20404, 500]) {
      fake.failNext(code);
      await otp.checkCode({ phoneE164: PHONE, code: right, providerRef }).catch(() => undefined);
    }
    fake.failNext(60205);
    await otp.startVerification(PHONE).catch(() => undefined);
    fake.setMode('slow');
    await provider({ timeoutMs: 200 }, log).otp.checkCode({ phoneE164: PHONE, code: wrong, providerRef }).catch(() => undefined);
    fake.setMode('down');
    await otp.checkCode({ phoneE164: PHONE, code: right, providerRef }).catch(() => undefined);
    await otp.cancelVerification({ phoneE164: PHONE, providerRef });
    await provider({ authToken: 'f'.repeat(32) }, log).otp.checkHealth();

    expect(calls.length).toBeGreaterThanOrEqual(8);
    const basic = Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
    for (const call of calls) {
      for (const secret of [AUTH_TOKEN, 'f'.repeat(32), basic, right, wrong, PHONE, PHONE.slice(2)]) {
        expect(call.text).not.toContain(secret);
      }
    }
    expect(calls.some((call) => call.text.includes('••34'))).toBe(true);
  });
});
