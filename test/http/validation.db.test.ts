// Strict validation of every body route of the sign-in (API.md "Errors"):
// no coercion, no unknown field, JSON Pointers for every error (missing and
// unknown fields too), and a refused request changes nothing at all.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { ADMIN, createTestApp, json, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, expectProblem, postRaw, signInAs, snapshotDatabase, startLogin } from '../auth/support.js';

/** RFC 6901: "" (the whole document) or "/"-prefixed tokens where "~" only appears as "~0" or "~1". */
const JSON_POINTER = /^(\/([^~/]|~[01])*)*$/;

const escapePointer = (token: string) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Where an error about the body as a whole points. RFC 6901 would say "" ;
 * the house convention (validation.ts, and every module's own whole-body
 * errors) is "/", which a client reads as "the body".
 */
const WHOLE_BODY = '/';

type Body = unknown;
interface RouteSpec {
  url: string;
  /** Each field with a valid value (the valid body itself is never sent). */
  valid: () => Record<string, string>;
}

function expectValidationProblem(response: LightMyRequestResponse, label: string): { path: string; message: string }[] {
  expect({ label, status: response.statusCode, code: json(response).code }).toEqual({ label, status: 400, code: 'VALIDATION_FAILED' });
  const body = expectProblem(response, 400, 'VALIDATION_FAILED');
  expect(Array.isArray(body.errors), label).toBe(true);
  expect(body.errors.length, label).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(error.path, label).toMatch(JSON_POINTER);
    expect(typeof error.message, label).toBe('string');
    expect(error.message.length, label).toBeGreaterThan(0);
  }
  return body.errors;
}

describe('validation of the sign-in bodies', () => {
  let t: TestApp;
  let tempToken: string;
  let refreshToken: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    refreshToken = (await signInAs(t, { email: ADMIN.email, password: ADMIN.password })).refreshToken;
    // An open challenge: a bad body that slipped through would take one of its guesses, or sign in.
    tempToken = await startLogin(t, { email: ADMIN.email, password: ADMIN.password });
    before = await snapshotDatabase(t);
  });
  afterAll(async () => t.close());

  const routes: RouteSpec[] = [
    { url: '/api/auth/login', valid: () => ({ email: ADMIN.email, password: ADMIN.password }) },
    { url: '/api/auth/otp/resend', valid: () => ({ tempToken }) },
    { url: '/api/auth/otp/verify', valid: () => ({ tempToken, code: '123456' }) },
    { url: '/api/auth/refresh', valid: () => ({ refreshToken }) },
  ];

  /** Bad bodies for a route, each with the pointers its errors must name (at least). */
  function badBodies(route: RouteSpec): [string, () => Body, string[]][] {
    const fieldNames = Object.keys(route.valid());
    const cases: [string, () => Body, string[]][] = [
      ['{}', () => ({}), fieldNames.map(escapePointer)],
      ['an unknown extra field', () => ({ ...route.valid(), isAdmin: true }), ['/isAdmin']],
      ['an unknown field whose name needs escaping', () => ({ ...route.valid(), 'a/b~c': 1 }), ['/a~1b~0c']],
      ['an array', () => [route.valid()], [WHOLE_BODY]],
      ['null', () => null, [WHOLE_BODY]],
      ['a string', () => 'hello', [WHOLE_BODY]],
      ['a number', () => 42, [WHOLE_BODY]],
      ['true', () => true, [WHOLE_BODY]],
    ];
    for (const field of fieldNames) {
      const without = () => Object.fromEntries(Object.entries(route.valid()).filter(([name]) => name !== field));
      const withValue = (value: unknown) => () => ({ ...route.valid(), [field]: value });
      const pointer = escapePointer(field);
      cases.push(
        [`${field} missing`, without, [pointer]],
        [`${field} a number (no coercion)`, withValue(123456), [pointer]],
        [`${field} a boolean`, withValue(true), [pointer]],
        [`${field} null`, withValue(null), [pointer]],
        [`${field} an array`, withValue([route.valid()[field]]), [pointer]],
        [`${field} an object`, withValue({ value: route.valid()[field] }), [pointer]],
        [`${field} over-long`, withValue('7'.repeat(2000)), [pointer]],
      );
      if (field !== 'code') cases.push([`${field} empty`, withValue(''), [pointer]]);
    }
    if (fieldNames.includes('code')) {
      for (const [name, code] of [
        ['with letters', '12ab56'],
        ['3 digits', '123'],
        ['11 digits', '12345678901'],
        ['empty', ''],
        ['with a space', '123 456'],
        ['with a leading space', ' 123456'],
        ['with a trailing newline', '123456\n'],
        ['negative', '-12345'],
        ['a decimal', '12.345'],
        ['full-width digits', '１２３４５６'],
      ] as const) {
        cases.push([`code ${name}`, () => ({ ...route.valid(), code }), ['/code']]);
      }
    }
    if (fieldNames.includes('email')) {
      cases.push(['email not an email', () => ({ ...route.valid(), email: 'not-an-email' }), ['/email']]);
      cases.push(['email over 254 characters', () => ({ ...route.valid(), email: `${'a'.repeat(250)}@b.co` }), ['/email']]);
    }
    if (fieldNames.includes('password')) {
      cases.push(['password over 1024 characters', () => ({ ...route.valid(), password: 'p'.repeat(1025) }), ['/password']]);
    }
    return cases;
  }

  describe.each(routes)('POST $url', (route) => {
    it.each(badBodies(route))('%s: 400 VALIDATION_FAILED naming the field, and nothing written', async (label, body, pointers) => {
      const response = await postRaw(t.app, route.url, JSON.stringify(body()));
      const errors = expectValidationProblem(response, label);
      const paths = errors.map((error) => error.path);
      for (const pointer of pointers) expect(paths, label).toContain(pointer);
      expect(await snapshotDatabase(t)).toEqual(before);
    });
  });

  it('{} names every missing field at once', async () => {
    const errors = expectValidationProblem(await postRaw(t.app, '/api/auth/otp/verify', '{}'), '{}');
    expect(errors.map((error) => error.path).sort()).toEqual(['/code', '/tempToken']);
    expect(errors.every((error) => /required/.test(error.message))).toBe(true);
  });

  it('the detail names the fields in words', async () => {
    const body = expectProblem(await postRaw(t.app, '/api/auth/login', JSON.stringify({ email: 5, password: 'x' })), 400, 'VALIDATION_FAILED');
    expect(body.detail).toContain('/email');
  });

  it('prototype-poisoning keys are refused as a 400 problem, never merged', async () => {
    for (const payload of ['{"__proto__": {"isAdmin": true}, "refreshToken": "x"}', '{"constructor": {"prototype": {"isAdmin": true}}, "refreshToken": "x"}']) {
      const response = await postRaw(t.app, '/api/auth/refresh', payload);
      expect(response.statusCode).toBe(400);
      expect(['VALIDATION_FAILED', 'MALFORMED_JSON']).toContain(json(response).code);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await snapshotDatabase(t)).toEqual(before);
  });

  describe('property: random bodies that are not valid are all 400 VALIDATION_FAILED with JSON Pointers, and write nothing', () => {
    // Keys a JSON parser must refuse outright (prototype poisoning) are left to the test above.
    const safeKey = fc.string({ maxLength: 12 }).filter((key) => key !== '__proto__' && key !== 'constructor');
    const json = fc.jsonValue({ maxDepth: 3 }).filter((value) => !JSON.stringify(value).includes('__proto__'));
    const notAString = json.filter((value) => typeof value !== 'string');

    function invalidBodies(route: RouteSpec): fc.Arbitrary<{ body: Body; mustName: string[] }> {
      const fields = Object.keys(route.valid());
      return fc.oneof(
        // Not an object at all.
        json.filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)).map((body) => ({ body, mustName: [WHOLE_BODY] })),
        // A valid body plus unknown fields.
        fc.dictionary(safeKey.filter((key) => !fields.includes(key)), json, { minKeys: 1, maxKeys: 4 })
          .map((extra) => ({ body: { ...route.valid(), ...extra }, mustName: Object.keys(extra).map(escapePointer) })),
        // A field of any other type than string.
        fc.tuple(fc.constantFrom(...fields), notAString).map(([field, value]) => ({ body: { ...route.valid(), [field]: value }, mustName: [escapePointer(field)] })),
        // Some fields missing, the others possibly junk.
        fc.subarray(fields, { minLength: 1 }).chain((missing) =>
          fc.record(Object.fromEntries(fields.filter((field) => !missing.includes(field)).map((field) => [field, fc.oneof(fc.constant(route.valid()[field]!), json)])))
            .map((rest) => ({ body: rest, mustName: missing.map(escapePointer) })),
        ),
      );
    }

    it.each(routes)('POST $url', async (route) => {
      await fc.assert(
        fc.asyncProperty(invalidBodies(route), async ({ body, mustName }) => {
          const response = await postRaw(t.app, route.url, JSON.stringify(body));
          const errors = expectValidationProblem(response, JSON.stringify(body).slice(0, 200));
          const paths = errors.map((error) => error.path);
          for (const pointer of mustName) expect(paths).toContain(pointer);
        }),
        { numRuns: 60 },
      );
      expect(await snapshotDatabase(t)).toEqual(before);
    });
  });
});
