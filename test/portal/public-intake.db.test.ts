// POST /api/public/applications: a business applies without an account; the
// answer says only the reference and the status, and each address may apply
// only so many times an hour (429 RATE_LIMITED, with when to come back).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { applicationHistory, applications } from '../../src/db/schema.js';
import { PUBLIC_INTAKE_LIMIT_PER_IP } from '../../src/http/routes/public-applications.js';
import { json, type TestApp } from '../helpers/app.js';
import { applicationBody, createPortalApp, expectProblem } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createPortalApp();
});
afterAll(async () => t?.close());

const apply = (body: unknown, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/public/applications', payload: body as object, headers: { 'content-type': 'application/json' }, remoteAddress });

describe('the public intake', () => {
  it('answers 201 with only the reference and status, and files a submitted application with a history from null', async () => {
    const response = await apply(applicationBody({ businessName: 'Public Bakery' }), '192.0.2.1');
    expect(response.statusCode).toBe(201);
    const receipt = json(response);
    expect(receipt).toEqual({ reference: expect.stringMatching(/^APP-\d{6,}$/), status: 'submitted' });
    const [row] = await t.services.db.select().from(applications).where(eq(applications.reference, receipt.reference));
    expect(row).toMatchObject({ businessName: 'Public Bakery', status: 'submitted', assignedTo: null, lenderId: null });
    const history = await t.services.db.select().from(applicationHistory).where(eq(applicationHistory.applicationId, row!.id));
    expect(history).toMatchObject([{ actorId: null, fromStatus: null, toStatus: 'submitted' }]);
  });

  it('lets an address apply as often as the limit says, then answers 429 RATE_LIMITED with Retry-After and when in words', async () => {
    const [rule] = PUBLIC_INTAKE_LIMIT_PER_IP;
    expect(rule).toEqual({ limit: 10, windowSeconds: 3600 });
    const ip = '192.0.2.2';
    for (let attempt = 1; attempt <= rule!.limit; attempt += 1) {
      // Invalid attempts count like valid ones.
      const response = await apply(attempt % 2 ? applicationBody() : {}, ip);
      expect(response.statusCode).toBe(attempt % 2 ? 201 : 400);
    }
    const refused = await apply(applicationBody(), ip);
    const problem = expectProblem(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBe(3600);
    expect(problem.detail).toMatch(/Try again in 60 minutes\.$/);

    expect((await apply(applicationBody(), '192.0.2.3')).statusCode).toBe(201);
    t.clock.advanceSeconds(1800);
    expect(Number((await apply(applicationBody(), ip)).headers['retry-after'])).toBe(1800);
    t.clock.advanceSeconds(1800);
    expect((await apply(applicationBody(), ip)).statusCode).toBe(201);
  });
});
