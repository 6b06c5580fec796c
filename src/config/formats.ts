// The value shapes of the settings: durations, limit rules, origins, proxy
// lists, the data key. Each is a parser (text → value, undefined when
// malformed) and an ajv format over it, so the schema and the code that
// builds Config can never disagree on what a valid value is.

import { isIP } from 'node:net';
import { Ajv } from 'ajv';
import envSchema from 'env-schema';
import type { LimitRule } from '../core/limit-rule.js';
import { decodeDataEncryptionKey } from '../secrets/data-key.js';
import type { TrustProxySetting } from './types.js';

const DURATION_UNITS_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "30s", "10m", "12h", "1d" → seconds; undefined when malformed. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS_SECONDS[match[2]!]!;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** "5/10m,20/1d" → rules; undefined when malformed. */
export function parseLimitRules(text: string): LimitRule[] | undefined {
  const rules: LimitRule[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(part);
    if (!match) return undefined;
    const limit = Number(match[1]);
    const windowSeconds = parseDurationSeconds(match[2]!);
    if (!Number.isSafeInteger(limit) || limit < 1 || windowSeconds === undefined) return undefined;
    rules.push({ limit, windowSeconds });
  }
  return rules.length > 0 ? rules : undefined;
}

/** "https://portal.example.com" (a trailing slash allowed) → the origin; undefined for a path, query, credentials or another scheme. */
export function parseHttpOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  return url.origin;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The names proxy-addr (Fastify's trustProxy) knows besides addresses. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** "true" / "false" / a hop count / "10.0.0.0/8, 192.0.2.1" → the setting; null when malformed. */
export function parseTrustProxy(text: string): TrustProxySetting | null {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0 || !entries.every(isAddressOrRange)) return null;
  return entries;
}

/**
 * TRUST_PROXY as Fastify's `trustProxy` option. A hop count becomes a
 * function: Fastify 5 ignores a bare number (it trusts no hop, so every
 * request looked like it came from the proxy, defect 9.5). Trusting the
 * nearest `count` hops is what the operator declared by setting it.
 */
export function fastifyTrustProxy(setting: TrustProxySetting): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return setting ?? false;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1']);

/** 127.0.0.0/8, ::1 or localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^::ffff:/, '');
  if (LOOPBACK_NAMES.has(bare)) return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export function parseCountryList(text: string): string[] | undefined {
  const codes = text.split(',').map((code) => code.trim().toUpperCase()).filter((code) => code !== '');
  return codes.length > 0 && codes.every((code) => /^[A-Z]{2}$/.test(code)) ? codes : undefined;
}

/** The ajv that validates the settings: env-schema's own options, plus the formats above. */
export function createSettingsAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    removeAdditional: true,
    useDefaults: true,
    coerceTypes: true,
    allowUnionTypes: true,
    addUsedSchema: false,
    keywords: [envSchema.keywords.separator],
    formats: {
      duration: (text: string) => parseDurationSeconds(text) !== undefined,
      'limit-rules': (text: string) => parseLimitRules(text) !== undefined,
      'limit-rule': (text: string) => parseLimitRules(text)?.length === 1,
      'http-origin': (text: string) => parseHttpOrigin(text) !== undefined,
      'http-url': isHttpUrl,
      'trust-proxy': (text: string) => parseTrustProxy(text) !== null,
      'country-list': (text: string) => parseCountryList(text) !== undefined,
      'data-encryption-key': (text: string) => decodeDataEncryptionKey(text) !== undefined,
    },
  });
}
