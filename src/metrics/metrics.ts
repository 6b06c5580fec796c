// Prometheus metrics (API.md "Metrics") on a registry of this app instance,
// not prom-client's global one: two apps in one process (the tests, a CLI
// beside a server) never mix or double-register their series. Built by the
// composition root; the HTTP layer serves it at GET /metrics.

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from './port.js';

export interface MetricsOptions {
  /**
   * Node's default process metrics. They start an event-loop monitor and a GC
   * observer that live as long as the process, so only an instance that
   * serves /metrics (METRICS_TOKEN set) collects them.
   */
  processMetrics: boolean;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** A Twilio error code, or one of the adapter's words; anything else is folded so the label set stays bounded. */
const PROVIDER_CODE = /^(?:\d{1,6}|timeout|http_5xx|http_4xx|network|other)$/;
const ERROR_CODE = /^[A-Z][A-Z_]{1,63}$/;

// Sign-in answers take from a few ms (a refusal) to ~150 ms (argon2, a Twilio call).
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'boreal_http_requests_total',
    help: 'HTTP answers by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'boreal_http_request_duration_seconds',
    help: 'Time to answer, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers,
  });
  const logins = new Counter({
    name: 'boreal_logins_total',
    help: 'Password steps of a sign-in, by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const otpSends = new Counter({
    name: 'boreal_otp_sends_total',
    help: 'One-time code sends, by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const otpVerifications = new Counter({
    name: 'boreal_otp_verifications_total',
    help: 'Second-factor checks, by factor and outcome.',
    labelNames: ['factor', 'outcome'] as const,
    registers,
  });
  const providerErrors = new Counter({
    name: 'boreal_otp_provider_errors_total',
    help: "OTP provider failures, by the provider's error code (or timeout, http_5xx, network).",
    labelNames: ['provider_code'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'boreal_rate_limited_total',
    help: 'Answers 429, by their problem code.',
    labelNames: ['code'] as const,
    registers,
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    httpRequest({ method, route, status, durationSeconds }) {
      const methodLabel = HTTP_METHODS.has(method) ? method : 'OTHER';
      httpRequests.inc({ method: methodLabel, route, status: String(status) });
      httpDuration.observe({ method: methodLabel, route }, durationSeconds);
    },
    rateLimited(code) {
      rateLimited.inc({ code: ERROR_CODE.test(code) ? code : 'OTHER' });
    },
    login(outcome) {
      logins.inc({ outcome });
    },
    otpSend(channel, outcome) {
      otpSends.inc({ channel, outcome });
    },
    otpVerification(factor, outcome) {
      otpVerifications.inc({ factor, outcome });
    },
    providerError(providerCode) {
      providerErrors.inc({ provider_code: PROVIDER_CODE.test(providerCode) ? providerCode : 'other' });
    },
  };
}
