// The opaque `cursor` of list routes: base64url of the last row's `seq`.
// Opaque so clients do not build or do arithmetic on it; a cursor that does
// not decode is the client's mistake, 400 at `/cursor` (a query parameter's
// path is `/name`, API.md "Fine points").

import { validationError } from '../errors.js';

export function encodeSeqCursor(seq: number | null): string | null {
  return seq === null ? null : Buffer.from(String(seq), 'utf8').toString('base64url');
}

/** undefined for no cursor; the seq for a good one; throws VALIDATION_FAILED otherwise. */
export function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : Number.NaN;
  // Re-encoding must give the same text: rejects padding tricks and trailing bits.
  if (!Number.isSafeInteger(seq) || encodeSeqCursor(seq) !== cursor) throw validationError('/cursor', 'is not a cursor this server issued');
  return seq;
}
