// Public routes that operators and load balancers call: liveness, readiness, JWKS.

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { pingDatabase } from '../../db/connect.js';
import type { Services } from '../../services.js';
import type { ProviderHealth } from '../../otp/provider.js';

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Object({
    database: Type.Object({ ok: Type.Boolean(), detail: Type.String(), kind: Type.String() }),
    otp: Type.Object({ ok: Type.Boolean(), detail: Type.String(), provider: Type.String() }),
    redis: Type.Optional(Check),
  }),
});
const Jwks = Type.Object({ keys: Type.Array(Type.Object({ kty: Type.String(), crv: Type.Optional(Type.String()), x: Type.Optional(Type.String()), y: Type.Optional(Type.String()), kid: Type.String(), alg: Type.String(), use: Type.String() })) });

/** Provider checks reach Twilio: remember the answer briefly so a busy probe does not hammer it. */
const PROVIDER_HEALTH_CACHE_MS = 15_000;

/**
 * Readiness is public: it names the provider and what to check, never where
 * it is or which account (a service SID, a base URL, credentials). The
 * provider's own detail (also used by `boreal doctor`) may name them.
 */
export function publicDetail(detail: string): string {
  return detail
    .replace(/\b(?:https?|rediss?|postgres(?:ql)?):\/\/[^\s),;]+/gi, '[url]')
    .replace(/\b(?:AC|VA|SK|MG)[0-9a-fA-F]{32}\b/g, '[sid]')
    .replace(/\bservice \[sid\] /g, 'service ');
}

export interface ReadinessExtras {
  /** Extra checks (e.g. Redis) that other modules contribute. */
  redis?: () => Promise<{ ok: boolean; detail: string }>;
}

export const healthRoutes = (services: Services, extras: ReadinessExtras = {}): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  let providerHealth: { at: number; value: ProviderHealth } | undefined;

  routes.get('/api/health', {
    config: { access: { public: true }, rateLimit: false },
    schema: { tags: ['health'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  routes.get('/api/health/ready', {
    config: { access: { public: true }, rateLimit: false },
    schema: { tags: ['health'], summary: 'Readiness: database, OTP provider, Redis', response: { 200: ReadyResponse, 503: ReadyResponse } },
  }, async (_request, reply) => {
    const database = await pingDatabase(services.databaseHandle).then(
      () => ({ ok: true, detail: 'answers', kind: services.databaseHandle.kind }),
      () => ({ ok: false, detail: 'does not answer', kind: services.databaseHandle.kind }),
    );
    const now = Date.now();
    if (!providerHealth || now - providerHealth.at > PROVIDER_HEALTH_CACHE_MS) {
      providerHealth = { at: now, value: await services.otp.checkHealth().catch(() => ({ ok: false, detail: 'check failed' })) };
    }
    const otp = { ok: providerHealth.value.ok, detail: publicDetail(providerHealth.value.detail), provider: services.otp.name };
    const redisCheck = extras.redis ? await extras.redis().catch(() => ({ ok: false, detail: 'does not answer' })) : undefined;
    // A Redis URL may hold its password: the same rule as the provider's detail.
    const redis = redisCheck ? { ok: redisCheck.ok, detail: publicDetail(redisCheck.detail) } : undefined;
    // Redis down is reported but keeps the instance ready: the request limit
    // counts in this instance's memory meanwhile, and a Redis outage must not
    // take every instance out of the load balancer at once (API.md).
    const ok = database.ok && otp.ok;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks: { database, otp, ...(redis ? { redis } : {}) } });
  });

  routes.get('/.well-known/jwks.json', {
    config: { access: { public: true } },
    schema: { tags: ['health'], summary: 'Access-token verification keys', response: { 200: Jwks } },
  }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return services.jwt.jwks() as never;
  });
};
