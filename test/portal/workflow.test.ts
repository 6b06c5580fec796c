import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, FINAL_STATUSES } from '../../src/applications/workflow.js';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../../src/core/vocabulary.js';
import { AppError } from '../../src/errors.js';
import { decodeSeqCursor, encodeSeqCursor } from '../../src/http/seq-cursor.js';
import { likeContains } from '../../src/applications/applications-repository.js';

/** API.md: submitted → in_review → approved | declined, approved → funded, any non-final → withdrawn. */
const ALLOWED = new Set([
  'submitted→in_review',
  'submitted→withdrawn',
  'in_review→approved',
  'in_review→declined',
  'in_review→withdrawn',
  'approved→funded',
  'approved→withdrawn',
]);

const ALL_PAIRS = APPLICATION_STATUSES.flatMap((from) => APPLICATION_STATUSES.map((to) => [from, to] as [ApplicationStatus, ApplicationStatus]));

describe('the status workflow', () => {
  it.each(ALL_PAIRS)('%s → %s is allowed exactly when API.md lists it', (from, to) => {
    const allowed = ALLOWED.has(`${from}→${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else {
      const error = (() => {
        try {
          assertTransition(from, to);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('INVALID_TRANSITION');
      expect((error as AppError).status).toBe(409);
    }
  });

  it('declined, funded and withdrawn are final', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['declined', 'funded', 'withdrawn']);
  });
});

describe('the list cursor', () => {
  it.each([1, 25, 9_007_199_254_740_991])('round-trips seq %d', (seq) => {
    expect(decodeSeqCursor(encodeSeqCursor(seq)!)).toBe(seq);
  });

  it.each(['!!!', 'MA', 'LTE', 'MS4w', 'OTAwNzE5OTI1NDc0MDk5Mg', 'MTI=', 'abc def', 'YQ'])('refuses %j with VALIDATION_FAILED at /cursor', (cursor) => {
    try {
      decodeSeqCursor(cursor);
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
      expect((error as AppError).errors).toEqual([{ path: '/cursor', message: expect.any(String) }]);
    }
  });
});

describe('the business-name search', () => {
  it.each([
    ['acme', '%acme%'],
    ['100%', '%100\\%%'],
    ['a_b', '%a\\_b%'],
    ['back\\slash', '%back\\\\slash%'],
  ])('escapes LIKE syntax in %j', (text, pattern) => {
    expect(likeContains(text)).toBe(pattern);
  });
});
