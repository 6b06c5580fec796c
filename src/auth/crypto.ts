// Secrets: randomness is injected (tests may fix it), hashes are SHA-256
// (refresh and temp tokens are 256-bit random, so a fast hash is enough),
// comparisons are constant-time.

import { createHash, timingSafeEqual } from 'node:crypto';

import type { Random } from '../core/clock.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomSecret(random: Random): string {
  return random.bytes(32).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits an opaque `id.secret` token; null when it is not shaped so. */
export function splitOpaqueToken(token: string): { id: string; secret: string } | null {
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!UUID.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  return { id: id.toLowerCase(), secret };
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
