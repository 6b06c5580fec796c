// Parallel codes against Twilio Verify (the fake, over real HTTP). Once a
// right code is approved Twilio answers 20404 to every later check of that
// verification: the losers of parallel right codes must still hear
// INVALID_TEMP_TOKEN, not OTP_EXPIRED (issue #9.6).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { otpChallenges, sessions } from '../../src/db/schema.js';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, startLogin, verifyCode } from './support.js';

const countBy = <T,>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});

describe('parallel codes with Twilio Verify', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeTwilioVerify();
    t = await createTestApp({
      env: {
        ...RELAXED_LIMITS,
        OTP_PROVIDER: 'twilio-verify',
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
        TWILIO_VERIFY_BASE_URL: fake.url,
        TWILIO_TIMEOUT: '2s',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('10 parallel right codes: one 200, nine INVALID_TEMP_TOKEN (never OTP_EXPIRED from Twilio 20404), one session', async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const code = fake.lastCode(user.phone!)!;
    const answers = await Promise.all(Array.from({ length: 10 }, () => verifyCode(t, tempToken, code)));
    expect(countBy(answers, (answer) => `${answer.statusCode} ${answer.statusCode === 200 ? 'signed in' : json(answer).code}`)).toEqual({
      '200 signed in': 1,
      '401 INVALID_TEMP_TOKEN': 9,
    });
    expect(await t.services.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    expect(row!.endedReason).toBe('verified');
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id);
    expect(events.filter((event) => event.type === 'OTP_FAILED')).toHaveLength(0);
  });

  it('a verification Twilio no longer holds, with no parallel win, still answers OTP_EXPIRED and ends the challenge', async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    await t.services.otp.cancelVerification({ phoneE164: user.phone!, providerRef: row!.providerRef });
    expectProblem(await verifyCode(t, tempToken, fake.lastCode(user.phone!)!), 401, 'OTP_EXPIRED');
    const [after] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, row!.id));
    expect(after).toMatchObject({ endedReason: 'expired', attempts: 0 });
    expectProblem(await verifyCode(t, tempToken, fake.lastCode(user.phone!)!), 401, 'OTP_EXPIRED');
  });
});
