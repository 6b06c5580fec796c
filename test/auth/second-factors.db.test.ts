// API.md "Second factors": enrolling an authenticator app (TOTP), signing in
// with it or with a recovery code, the `amr` each sign-in carries, asking for
// an SMS or a call instead, disabling, new recovery codes, the admin's reset,
// and /me's security summary. Time moves by the test clock, never by sleeping.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ADMIN, bearer, json, postJson, signIn, type TestApp, createTestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, startLogin } from './support.js';
import { enrollAuthenticator, jwtClaims, recordingProvider, totpCode, type RecordingProvider } from './factors-support.js';

const verify = (t: TestApp, body: Record<string, unknown>) => postJson(t.app, '/api/auth/otp/verify', body);
const me = async (t: TestApp, accessToken: string) => json(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) }));

describe('enrolling an authenticator app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('answers a 160-bit base32 secret and its otpauth URI; the database holds it only encrypted', async () => {
    const user = await createUser(t);
    const { accessToken } = await signIn(t.app, user.email, user.password);
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/totp', headers: bearer(accessToken) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { secret, otpauthUri } = json(response);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 160 bits
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Boreal Portal');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');

    const confirmed = await postJson(t.app, '/api/auth/totp/confirm', { code: totpCode(t, secret) }, bearer(accessToken));
    expect(confirmed.statusCode).toBe(200);
    const [row] = await t.database.query<Record<string, string | null>>(sql`select totp_secret_encrypted, totp_pending_secret_encrypted from users where id = ${user.id}`);
    const dump = JSON.stringify(row);
    expect(row!.totp_secret_encrypted).toMatch(/^v1\./);
    expect(row!.totp_pending_secret_encrypted).toBeNull();
    for (const form of [secret, secret.toLowerCase(), Buffer.from(secret, 'latin1').toString('hex')]) expect(dump).not.toContain(form);
    expect(t.logs.join('\n')).not.toContain(secret);
  });

  it('confirming: a wrong code is VALIDATION_FAILED at /code; the right one enrolls and shows ten distinct 50-bit recovery codes once, audited TOTP_ENROLLED', async () => {
    const user = await createUser(t);
    const { accessToken } = await signIn(t.app, user.email, user.password);
    expectProblem(await postJson(t.app, '/api/auth/totp/confirm', { code: '123456' }, bearer(accessToken)), 409, 'CONFLICT');
    const { secret } = json(await t.app.inject({ method: 'POST', url: '/api/auth/totp', headers: bearer(accessToken) }));
    const wrong = expectProblem(await postJson(t.app, '/api/auth/totp/confirm', { code: totpCode(t, secret, 3) }, bearer(accessToken)), 400, 'VALIDATION_FAILED');
    expect(wrong.errors).toEqual([expect.objectContaining({ path: '/code' })]);
    expect((await me(t, accessToken)).security.totp).toBe(false);

    const response = await postJson(t.app, '/api/auth/totp/confirm', { code: totpCode(t, secret, -1) }, bearer(accessToken));
    expect(response.statusCode).toBe(200);
    const { recoveryCodes } = json(response);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    const stored = await t.database.query<{ code_hash: string }>(sql`select code_hash from recovery_codes where user_id = ${user.id}`);
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes) expect(JSON.stringify(stored)).not.toContain(code.replace('-', ''));
    expect((await auditRows(t, 'TOTP_ENROLLED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
    expect((await me(t, accessToken)).security).toEqual({ phone: expect.stringMatching(/^\+1 •/), totp: true, recoveryCodesLeft: 10 });

    expectProblem(await t.app.inject({ method: 'POST', url: '/api/auth/totp', headers: bearer(accessToken) }), 409, 'CONFLICT');
    expectProblem(await postJson(t.app, '/api/auth/totp/confirm', { code: totpCode(t, secret) }, bearer(accessToken)), 409, 'CONFLICT');
    const logs = t.logs.join('\n');
    for (const code of [secret, ...recoveryCodes]) expect(logs).not.toContain(code);
  });
});

describe('signing in with an authenticator app or a recovery code', () => {
  let t: TestApp;
  let otp: RecordingProvider;
  beforeAll(async () => {
    otp = recordingProvider();
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { otp } });
  });
  afterAll(async () => t.close());

  it('login answers otp.channel totp and every factor, and sends nothing; the code signs in with amr ["pwd","otp"], kept on the session and across refreshes', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);
    const sentBefore = otp.sent.length;
    const login = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
    expect(login.statusCode).toBe(200);
    const body = json(login);
    expect(body.otp).toEqual({ channel: 'totp' });
    expect(body.factors).toEqual(['sms', 'call', 'totp', 'recovery']);
    expect(otp.sent.length).toBe(sentBefore);

    const response = await verify(t, { tempToken: body.tempToken, code: totpCode(t, secret) });
    expect(response.statusCode).toBe(200);
    const tokens = json(response);
    expect(jwtClaims(tokens.accessToken).amr).toEqual(['pwd', 'otp']);
    const [session] = await t.database.query<{ amr: string[] | string }>(sql`select amr from sessions where id = ${jwtClaims(tokens.accessToken).sid as string}`);
    expect(session!.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    const refreshed = await postJson(t.app, '/api/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    expect(jwtClaims(json(refreshed).accessToken).amr).toEqual(['pwd', 'otp']);
  });

  it('an SMS sign-in carries amr ["pwd","sms"]', async () => {
    const tokens = await signIn(t.app, ADMIN.email, ADMIN.password);
    expect(jwtClaims(tokens.accessToken).amr).toEqual(['pwd', 'sms']);
  });

  it('a step is usable once: the same code again is wrong; the step before and after count, two away does not', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);
    t.clock.advanceSeconds(30); // the step before now was not the one spent by the enrollment
    const code = totpCode(t, secret, -1);
    expect((await verify(t, { tempToken: await startLogin(t, user), code })).statusCode).toBe(200);
    const replay = expectProblem(await verify(t, { tempToken: await startLogin(t, user), code }), 401, 'INVALID_OTP');
    expect(replay.attemptsRemaining).toBe(4);
    const tempToken = await startLogin(t, user);
    expectProblem(await verify(t, { tempToken, code: totpCode(t, secret, 2) }), 401, 'INVALID_OTP');
    expect((await verify(t, { tempToken, code: totpCode(t, secret, 1) })).statusCode).toBe(200);
    // The step after was spent: the current step is now behind it and refused too.
    expectProblem(await verify(t, { tempToken: await startLogin(t, user), code: totpCode(t, secret) }), 401, 'INVALID_OTP');
  });

  it('a recovery code signs in once, with amr ["pwd","rec"], audited RECOVERY_CODE_USED with the number left; typed in capitals without the dash it still counts', async () => {
    const user = await createUser(t);
    const { recoveryCodes } = await enrollAuthenticator(t, user);
    const response = await verify(t, { tempToken: await startLogin(t, user), recoveryCode: recoveryCodes[0]!.replace('-', '').toUpperCase() });
    expect(response.statusCode).toBe(200);
    const tokens = json(response);
    expect(jwtClaims(tokens.accessToken).amr).toEqual(['pwd', 'rec']);
    const used = (await auditRows(t, 'RECOVERY_CODE_USED')).filter((event) => event.user_id === user.id);
    expect(used.map((event) => event.detail)).toEqual([{ left: 9 }]);
    expect(JSON.stringify(await auditRows(t))).not.toContain(recoveryCodes[0]!.slice(0, 5));
    expect((await me(t, tokens.accessToken)).security.recoveryCodesLeft).toBe(9);
    const again = expectProblem(await verify(t, { tempToken: await startLogin(t, user), recoveryCode: recoveryCodes[0] }), 401, 'INVALID_OTP');
    expect(again.attemptsRemaining).toBe(4);
  });

  it('verify needs exactly one of code and recoveryCode', async () => {
    const tempToken = await startLogin(t, { email: ADMIN.email, password: ADMIN.password });
    expectProblem(await verify(t, { tempToken }), 400, 'VALIDATION_FAILED');
    expectProblem(await verify(t, { tempToken, code: '123456', recoveryCode: 'abcde-fghjk' }), 400, 'VALIDATION_FAILED');
  });

  it('wrong codes of every factor share the challenge attempts: TOTP, recovery and SMS codes count alike', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);
    const tempToken = await startLogin(t, user);
    expect(json(await verify(t, { tempToken, code: totpCode(t, secret, 5) })).attemptsRemaining).toBe(4);
    expect(json(await verify(t, { tempToken, recoveryCode: 'aaaaa-bbbbb' })).attemptsRemaining).toBe(3);
    expect((await postJson(t.app, '/api/auth/otp/resend', { tempToken })).statusCode).toBe(200);
    expect(json(await verify(t, { tempToken, code: '000000' })).attemptsRemaining).toBe(2);
    expect(json(await verify(t, { tempToken, recoveryCode: 'ccccc-ddddd' })).attemptsRemaining).toBe(1);
    expect(json(await verify(t, { tempToken, code: '999999' })).attemptsRemaining).toBe(0);
    expectProblem(await verify(t, { tempToken, code: totpCode(t, secret) }), 429, 'OTP_ATTEMPTS_EXCEEDED');
  });

  it('a TOTP user may ask for an SMS (not held back by the cooldown) or a call, and sign in with that code (amr sms)', async () => {
    const user = await createUser(t);
    await enrollAuthenticator(t, user);
    const tempToken = await startLogin(t, user);
    const sms = await postJson(t.app, '/api/auth/otp/resend', { tempToken });
    expect(sms.statusCode).toBe(200);
    expect(json(sms)).toEqual({ sent: true, resendAfter: 30, otp: { channel: 'sms', to: expect.stringMatching(/^\+1 •/) } });
    expectProblem(await postJson(t.app, '/api/auth/otp/resend', { tempToken, channel: 'call' }), 429, 'OTP_RESEND_TOO_SOON');
    t.clock.advanceSeconds(30);
    const call = await postJson(t.app, '/api/auth/otp/resend', { tempToken, channel: 'call' });
    expect(json(call).otp.channel).toBe('call');
    expect(otp.sent.slice(-2)).toEqual([{ phone: user.phone, channel: 'sms' }, { phone: user.phone, channel: 'call' }]);
    const response = await verify(t, { tempToken, code: '123456' });
    expect(response.statusCode).toBe(200);
    expect(jwtClaims(json(response).accessToken).amr).toEqual(['pwd', 'sms']);
  });

  it('anyone with a phone may ask for a call; the OTP_SENT audit says which channel', async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(30);
    expect(json(await postJson(t.app, '/api/auth/otp/resend', { tempToken, channel: 'call' })).otp.channel).toBe('call');
    expect(otp.sent.at(-1)).toEqual({ phone: user.phone, channel: 'call' });
    const sent = (await auditRows(t, 'OTP_SENT')).filter((event) => event.user_id === user.id).map((event) => event.detail.channel);
    expect(sent).toEqual(['sms', 'call']);
    expectProblem(await postJson(t.app, '/api/auth/otp/resend', { tempToken, channel: 'fax' }), 400, 'VALIDATION_FAILED');
  });

  it('a user with an authenticator and no phone signs in (no PHONE_NOT_ENROLLED); asking for an SMS is PHONE_NOT_ENROLLED', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);
    await t.database.query(sql`update users set phone = null where id = ${user.id}`);
    const login = json(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }));
    expect(login.otp).toEqual({ channel: 'totp' });
    expect(login.factors).toEqual(['totp', 'recovery']);
    expectProblem(await postJson(t.app, '/api/auth/otp/resend', { tempToken: login.tempToken }), 409, 'PHONE_NOT_ENROLLED');
    expect((await verify(t, { tempToken: login.tempToken, code: totpCode(t, secret) })).statusCode).toBe(200);
  });

  it('with the provider down, an authenticator sign-in works end to end; an SMS sign-in answers OTP_PROVIDER_UNAVAILABLE', async () => {
    const withApp = await createUser(t);
    const { secret } = await enrollAuthenticator(t, withApp);
    const withoutApp = await createUser(t);
    otp.down = true;
    try {
      expectProblem(await postJson(t.app, '/api/auth/login', { email: withoutApp.email, password: withoutApp.password }), 503, 'OTP_PROVIDER_UNAVAILABLE');
      const tempToken = await startLogin(t, withApp);
      expect((await verify(t, { tempToken, code: totpCode(t, secret) })).statusCode).toBe(200);
    } finally {
      otp.down = false;
    }
  });
});

describe('bursts: a code or a recovery code is good once under parallel use', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('10 parallel verifies with the same TOTP code: one success', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);
    const tempToken = await startLogin(t, user);
    const code = totpCode(t, secret);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(t, { tempToken, code })));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(1);
    const [row] = await t.database.query<{ count: number | string }>(sql`select count(*) from sessions where user_id = ${user.id}`);
    expect(Number(row!.count)).toBe(2); // the enrolling session and this one
  });

  it('a right code still being judged when a later wrong one uses the last attempt signs in (CI saw 10 parallel recovery codes all refused)', async () => {
    const provider = recordingProvider();
    const app = await createTestApp({ env: RELAXED_LIMITS, overrides: { otp: provider } });
    try {
      const user = await createUser(app);
      const tempToken = await startLogin(app, user);
      const held = provider.holdChecksOf('123456');
      const right = verify(app, { tempToken, code: '123456' }); // takes attempt 1, then waits at the provider
      await held.waiting;
      let last: Record<string, any> = {};
      for (let tries = 0; tries < 20 && last.attemptsRemaining !== 0; tries += 1) {
        const wrong = await verify(app, { tempToken, code: '000000' });
        expect(wrong.statusCode, wrong.body).toBe(401);
        last = json(wrong);
      }
      expect(last.attemptsRemaining, 'the wrong codes used every attempt left').toBe(0);
      held.release();
      const answer = await right;
      expect(answer.statusCode, answer.body).toBe(200);
      expect((await auditRows(app, 'LOGIN_SUCCEEDED')).map((row) => row.user_id)).toEqual([user.id]);
    } finally {
      await app.close();
    }
  });

  it('10 parallel uses of one recovery code: one success, one code spent', async () => {
    const user = await createUser(t);
    const { recoveryCodes } = await enrollAuthenticator(t, user);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(t, { tempToken, recoveryCode: recoveryCodes[3] })));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(1);
    const [row] = await t.database.query<{ count: number | string }>(sql`select count(*) from recovery_codes where user_id = ${user.id} and used_at is not null`);
    expect(Number(row!.count)).toBe(1);
  });
});
