// The assertions every problem answer (API.md "Errors") must pass, shared by
// the suites.

import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { json } from './app.js';

export const PROBLEM_CONTENT_TYPE = /^application\/problem\+json(;|$)/;

/** Asserts an RFC 9457 problem of the catalogue and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  const body = json(response);
  expect({ status: response.statusCode, code: body.code }, response.body).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(PROBLEM_CONTENT_TYPE);
  expect(body).toMatchObject({ type: 'about:blank', status, code });
  expect(typeof body.title).toBe('string');
  expect(body.title.length).toBeGreaterThan(0);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}
