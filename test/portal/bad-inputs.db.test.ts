// Table-driven bad inputs on the portal's routes: each answers a 4xx problem
// document (with the field's JSON Pointer where there is one) and leaves the
// database exactly as it was.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { applicationBody, createApplicationAs, createPortalApp, expectProblem, makeCast, makeUser, snapshotDatabase, type Cast, type SignedInUser } from './support.js';

type As = 'admin' | 'staff';
interface BadInput {
  method: 'GET' | 'POST' | 'PATCH';
  url: string | ((ids: Ids) => string);
  body?: unknown;
  /** Sent as is, with this content type. */
  raw?: { payload: string; contentType: string };
  as?: As | 'none';
  status: number;
  code: string;
  /** The JSON Pointer of the first field error, when the error is about a field. */
  path?: string;
}
interface Ids {
  application: string;
  user: string;
  admin: string;
}

const user = (overrides: Record<string, unknown>) => ({ email: 'bad.input@example.test', name: 'Bad Input', password: 'spruce needles fall', roles: ['staff'], ...overrides });
const tooBig = 9_007_199_254_740_992;

const CASES: Record<string, BadInput> = {
  // POST /api/applications
  'application: empty object': { method: 'POST', url: '/api/applications', body: {}, status: 400, code: 'VALIDATION_FAILED', path: '/businessName' },
  'application: missing field': { method: 'POST', url: '/api/applications', body: { ...applicationBody(), contactName: undefined }, status: 400, code: 'VALIDATION_FAILED', path: '/contactName' },
  'application: server-owned status': { method: 'POST', url: '/api/applications', body: applicationBody({ status: 'approved' }), status: 400, code: 'VALIDATION_FAILED', path: '/status' },
  'application: server-owned reference': { method: 'POST', url: '/api/applications', body: applicationBody({ reference: 'APP-999999' }), status: 400, code: 'VALIDATION_FAILED', path: '/reference' },
  'application: amount 0': { method: 'POST', url: '/api/applications', body: applicationBody({ amountRequested: 0 }), status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: negative amount': { method: 'POST', url: '/api/applications', body: applicationBody({ amountRequested: -100 }), status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: fractional cents': { method: 'POST', url: '/api/applications', body: applicationBody({ amountRequested: 10.5 }), status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: amount as a string': { method: 'POST', url: '/api/applications', body: applicationBody({ amountRequested: '1000' }), status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: amount past 2^53': { method: 'POST', url: '/api/applications', body: applicationBody({ amountRequested: tooBig }), status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: amount 1e300': { method: 'POST', url: '/api/applications', raw: { payload: JSON.stringify(applicationBody({ amountRequested: 1 })).replace('"amountRequested":1', '"amountRequested":1e300'), contentType: 'application/json' }, status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'application: unknown currency': { method: 'POST', url: '/api/applications', body: applicationBody({ currency: 'EUR' }), status: 400, code: 'VALIDATION_FAILED', path: '/currency' },
  'application: unknown product': { method: 'POST', url: '/api/applications', body: applicationBody({ productType: 'mortgage' }), status: 400, code: 'VALIDATION_FAILED', path: '/productType' },
  'application: bad email': { method: 'POST', url: '/api/applications', body: applicationBody({ contactEmail: 'nope' }), status: 400, code: 'VALIDATION_FAILED', path: '/contactEmail' },
  'application: bad phone': { method: 'POST', url: '/api/applications', body: applicationBody({ contactPhone: '12345' }), status: 400, code: 'VALIDATION_FAILED', path: '/contactPhone' },
  'application: blank business name': { method: 'POST', url: '/api/applications', body: applicationBody({ businessName: '   ' }), status: 400, code: 'VALIDATION_FAILED', path: '/businessName' },
  'application: number as business name': { method: 'POST', url: '/api/applications', body: applicationBody({ businessName: 123 }), status: 400, code: 'VALIDATION_FAILED', path: '/businessName' },
  'application: unknown lender': { method: 'POST', url: '/api/applications', body: applicationBody({ lenderId: '00000000-0000-4000-8000-000000000000' }), status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'application: unknown assignee': { method: 'POST', url: '/api/applications', body: applicationBody({ assignedTo: '00000000-0000-4000-8000-000000000000' }), status: 400, code: 'VALIDATION_FAILED', path: '/assignedTo' },
  'application: assignee not a uuid': { method: 'POST', url: '/api/applications', body: applicationBody({ assignedTo: 'bob' }), status: 400, code: 'VALIDATION_FAILED', path: '/assignedTo' },
  'application: malformed JSON': { method: 'POST', url: '/api/applications', raw: { payload: '{"businessName":', contentType: 'application/json' }, status: 400, code: 'MALFORMED_JSON' },
  'application: empty JSON body': { method: 'POST', url: '/api/applications', raw: { payload: '', contentType: 'application/json' }, status: 400, code: 'MALFORMED_JSON' },
  'application: text/plain': { method: 'POST', url: '/api/applications', raw: { payload: 'hello', contentType: 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  'application: a JSON array': { method: 'POST', url: '/api/applications', body: [applicationBody()], status: 400, code: 'VALIDATION_FAILED' },

  // PATCH /api/applications/:id
  'change: empty object': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: {}, status: 400, code: 'VALIDATION_FAILED', path: '/' },
  'change: skip a step': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { status: 'approved' }, status: 409, code: 'INVALID_TRANSITION' },
  'change: same status': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { status: 'submitted' }, status: 409, code: 'INVALID_TRANSITION' },
  'change: skip a step, with other fields': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { status: 'funded', amountRequested: 5, note: 'x' }, status: 409, code: 'INVALID_TRANSITION' },
  'change: unknown status': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { status: 'bogus' }, status: 400, code: 'VALIDATION_FAILED', path: '/status' },
  'change: amount 0': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { amountRequested: 0 }, status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'change: empty note': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { note: '' }, status: 400, code: 'VALIDATION_FAILED', path: '/note' },
  'change: server-owned field': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { reference: 'APP-000001' }, status: 400, code: 'VALIDATION_FAILED', path: '/reference' },
  'change: unknown lender': { method: 'PATCH', url: (ids) => `/api/applications/${ids.application}`, body: { lenderId: '00000000-0000-4000-8000-000000000000' }, status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'change: id not a uuid': { method: 'PATCH', url: '/api/applications/nope', body: { note: 'x' }, status: 404, code: 'NOT_FOUND' },

  // GET /api/applications
  'list: limit 0': { method: 'GET', url: '/api/applications?limit=0', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'list: limit 101': { method: 'GET', url: '/api/applications?limit=101', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'list: limit abc': { method: 'GET', url: '/api/applications?limit=abc', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'list: limit 1.5': { method: 'GET', url: '/api/applications?limit=1.5', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'list: cursor garbage': { method: 'GET', url: '/api/applications?cursor=%25%25%25', status: 400, code: 'VALIDATION_FAILED', path: '/cursor' },
  'list: cursor of seq 0': { method: 'GET', url: '/api/applications?cursor=MA', status: 400, code: 'VALIDATION_FAILED', path: '/cursor' },
  'list: unknown status': { method: 'GET', url: '/api/applications?status=bogus', status: 400, code: 'VALIDATION_FAILED', path: '/status' },
  'list: unknown parameter': { method: 'GET', url: '/api/applications?stauts=submitted', status: 400, code: 'VALIDATION_FAILED', path: '/stauts' },
  'list: search over 200 characters': { method: 'GET', url: `/api/applications?q=${'a'.repeat(201)}`, status: 400, code: 'VALIDATION_FAILED', path: '/q' },

  // POST /api/rbac/users
  'user: empty object': { method: 'POST', url: '/api/rbac/users', body: {}, as: 'admin', status: 400, code: 'VALIDATION_FAILED' },
  'user: 7-character password': { method: 'POST', url: '/api/rbac/users', body: user({ password: 'abcdefg' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/password' },
  'user: 129-character password': { method: 'POST', url: '/api/rbac/users', body: user({ password: 'x'.repeat(129) }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/password' },
  'user: common password': { method: 'POST', url: '/api/rbac/users', body: user({ password: 'sunshine1' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/password' },
  'user: bad phone': { method: 'POST', url: '/api/rbac/users', body: user({ phone: '+1 555' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/phone' },
  'user: unknown role': { method: 'POST', url: '/api/rbac/users', body: user({ roles: ['owner'] }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/roles/0' },
  'user: repeated role': { method: 'POST', url: '/api/rbac/users', body: user({ roles: ['staff', 'staff'] }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/roles' },
  'user: lender without lenderId': { method: 'POST', url: '/api/rbac/users', body: user({ roles: ['lender'] }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'user: unknown lender': { method: 'POST', url: '/api/rbac/users', body: user({ roles: ['lender'], lenderId: '00000000-0000-4000-8000-000000000000' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'user: bad email': { method: 'POST', url: '/api/rbac/users', body: user({ email: 'nobody' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/email' },
  'user: a hash sent along': { method: 'POST', url: '/api/rbac/users', body: user({ passwordHash: '$argon2id$...' }), as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/passwordHash' },
  'user: taken email': { method: 'POST', url: '/api/rbac/users', body: user({ email: 'ADMIN@boreal.com' }), as: 'admin', status: 409, code: 'CONFLICT' },

  // PATCH /api/rbac/users/:id
  'user change: empty object': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: {}, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/' },
  'user change: bad phone': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { phone: 'call me' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/phone' },
  'user change: unknown role': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { roles: ['root'] }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/roles/0' },
  'user change: disabled as text': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { disabled: 'yes' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/disabled' },
  'user change: email': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { email: 'x@example.test' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/email' },
  'user change: password': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { password: 'a new long password' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/password' },
  'user change: lender role without lender': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.user}`, body: { roles: ['lender'] }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'user change: own roles': { method: 'PATCH', url: (ids) => `/api/rbac/users/${ids.admin}`, body: { roles: ['staff'] }, as: 'admin', status: 403, code: 'FORBIDDEN' },
  'user change: unknown user': { method: 'PATCH', url: '/api/rbac/users/00000000-0000-4000-8000-000000000000', body: { name: 'Ghost' }, as: 'admin', status: 404, code: 'NOT_FOUND' },
  'users: limit 101': { method: 'GET', url: '/api/rbac/users?limit=101', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'users: cursor garbage': { method: 'GET', url: '/api/rbac/users?cursor=zzz', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/cursor' },

  // Lenders
  'lender: empty object': { method: 'POST', url: '/api/rbac/lenders', body: {}, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/name' },
  'lender: blank name': { method: 'POST', url: '/api/rbac/lenders', body: { name: '   ' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/name' },
  'lender: name over 200': { method: 'POST', url: '/api/rbac/lenders', body: { name: 'L'.repeat(201) }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/name' },
  'lender: extra field': { method: 'POST', url: '/api/rbac/lenders', body: { name: 'Fine', id: '00000000-0000-4000-8000-000000000000' }, as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/id' },

  // Audit
  'audit: limit 201': { method: 'GET', url: '/api/rbac/audit?limit=201', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'audit: limit 0': { method: 'GET', url: '/api/rbac/audit?limit=0', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/limit' },
  'audit: cursor garbage': { method: 'GET', url: '/api/rbac/audit?cursor=-1', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/cursor' },
  'audit: unknown type': { method: 'GET', url: '/api/rbac/audit?type=NOPE', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/type' },
  'audit: userId not a uuid': { method: 'GET', url: '/api/rbac/audit?userId=abc', as: 'admin', status: 400, code: 'VALIDATION_FAILED', path: '/userId' },

  // Public intake
  'intake: empty object': { method: 'POST', url: '/api/public/applications', body: {}, as: 'none', status: 400, code: 'VALIDATION_FAILED' },
  'intake: assignedTo': { method: 'POST', url: '/api/public/applications', body: applicationBody({ assignedTo: null }), as: 'none', status: 400, code: 'VALIDATION_FAILED', path: '/assignedTo' },
  'intake: lenderId': { method: 'POST', url: '/api/public/applications', body: applicationBody({ lenderId: null }), as: 'none', status: 400, code: 'VALIDATION_FAILED', path: '/lenderId' },
  'intake: amount 0': { method: 'POST', url: '/api/public/applications', body: applicationBody({ amountRequested: 0 }), as: 'none', status: 400, code: 'VALIDATION_FAILED', path: '/amountRequested' },
  'intake: bad phone': { method: 'POST', url: '/api/public/applications', body: applicationBody({ contactPhone: 'none' }), as: 'none', status: 400, code: 'VALIDATION_FAILED', path: '/contactPhone' },
};

describe('bad inputs', () => {
  let t: TestApp;
  let cast: Cast;
  let ids: Ids;
  let callers: Record<As, SignedInUser>;

  beforeAll(async () => {
    t = await createPortalApp();
    cast = await makeCast(t);
    const application = await createApplicationAs(t, cast.staff);
    ids = { application: application.id, user: (await makeUser(t, ['staff'])).id, admin: cast.admin.id };
    callers = { admin: cast.admin, staff: cast.staff };
  });
  afterAll(async () => t?.close());

  it.each(Object.entries(CASES))('%s: a 4xx problem, and nothing changes', async (_name, bad) => {
    const before = await snapshotDatabase(t);
    const as = bad.as ?? 'staff';
    const headers: Record<string, string> = as === 'none' ? {} : { ...callers[as].headers };
    const url = typeof bad.url === 'function' ? bad.url(ids) : bad.url;
    let payload: string | undefined;
    if (bad.raw) {
      payload = bad.raw.payload;
      headers['content-type'] = bad.raw.contentType;
    } else if (bad.body !== undefined) {
      payload = JSON.stringify(bad.body);
      headers['content-type'] = 'application/json';
    }
    const response = await t.app.inject({ method: bad.method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    const problem = expectProblem(response, bad.status, bad.code);
    if (bad.path) expect(problem.errors?.[0]?.path, JSON.stringify(problem.errors)).toBe(bad.path);
    expect(await snapshotDatabase(t)).toEqual(before);
  });
});
