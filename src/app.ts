// buildApp: every plugin and route module, registered here and only here, by
// static import. Development, tests and the production build all call this
// one function, so they serve the same route table (the incident behind this
// product was a production server that mounted fewer routes).

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { enforceRouteAccess } from './http/access.js';
import { answerFrameworkError, installErrorHandling } from './http/error-handler.js';
import { installRequestHardening } from './http/request-hardening.js';
import { refuseRequestsWhileClosing } from './http/shutdown.js';
import { validatorCompiler } from './http/validation.js';
import { authRoutes } from './http/routes/auth.js';
import { accountRoutes } from './http/routes/account.js';
import { secondFactorRoutes } from './http/routes/second-factors.js';
import { healthRoutes, type ReadinessExtras } from './http/routes/health.js';
import { roleRoutes } from './http/routes/roles.js';
import { rateLimitRoutes } from './http/routes/rate-limits.js';
import { registerRequestLimit } from './http/request-limit.js';
import { registerOpenApi } from './http/routes/openapi.js';
import { applicationRoutes } from './http/routes/applications.js';
import { lenderRoutes } from './http/routes/lenders.js';
import { userRoutes } from './http/routes/users.js';
import { auditRoutes } from './http/routes/audit.js';
import { publicApplicationRoutes } from './http/routes/public-applications.js';
import { webRoutes } from './http/routes/web.js';
import { metricsRoutes, recordAnswers } from './http/metrics.js';
import { logOneLinePerRequest } from './http/request-log.js';
import type { Services } from './services.js';
import { fastifyTrustProxy } from './config.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface BuildAppOptions {
  /** A pino logger (shared with the services); Fastify's request logs go through it. */
  logger: Logger;
  readiness?: ReadinessExtras;
}

export async function buildApp(services: Services, options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // TRUST_PROXY as Fastify applies it (a bare hop count would be ignored: see fastifyTrustProxy).
    trustProxy: fastifyTrustProxy(config.trustProxy),
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: false },
    frameworkErrors: answerFrameworkError,
    // Outside production one line per request (request-log.ts), not Fastify's two.
    logController: new LogController({ disableRequestLogging: !config.isProduction }),
    // Refused by refuseRequestsWhileClosing instead, with a problem document.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  // JSON only: text/plain and anything else answer 415.
  app.removeContentTypeParser('text/plain');

  installErrorHandling(app);
  recordAnswers(app, services.metrics);
  if (!config.isProduction) logOneLinePerRequest(app);
  installRequestHardening(app);
  refuseRequestsWhileClosing(app);
  enforceRouteAccess(app, services.verifyAccessToken);
  // Before every route: LIMIT_REQUESTS_PER_IP counts each request (the 404s too).
  const requestLimit = await registerRequestLimit(app, { counters: services.requestCounters, rule: config.limits.requestsPerIp });
  // Before every route module: the OpenAPI document and the Problem error responses only reach routes added after them.
  await registerOpenApi(app);

  await app.register(healthRoutes(services, { ...requestLimit.readiness, ...options.readiness }));
  await app.register(authRoutes(services));
  await app.register(accountRoutes(services));
  await app.register(secondFactorRoutes(services));
  await app.register(roleRoutes);
  await app.register(rateLimitRoutes(services));
  await app.register(applicationRoutes(services));
  await app.register(publicApplicationRoutes(services));
  await app.register(lenderRoutes(services));
  await app.register(userRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(metricsRoutes(services.metrics, config.metricsToken));
  // The staff UI at /app/ (dist/web; without a build /app/* answers 404 and the API is unchanged).
  await app.register(webRoutes());
  return app;
}
