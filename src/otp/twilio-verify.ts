// Twilio Verify v2 through the official SDK. Twilio generates, sends and
// checks the code; this adapter only routes the calls to TWILIO_VERIFY_BASE_URL,
// bounds them by TWILIO_TIMEOUT, and turns Twilio's answers into the error
// catalogue so their meaning survives up to the client (API.md, "Login").

import { maskPhone } from '../core/phone-mask.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';
import type { TwilioSettings } from '../config.js';
import { AppError, tooManyRequests } from '../errors.js';
import type { CodeCheckOutcome, OtpProvider, ProviderHealth, ProviderLogger } from './provider.js';
import { noProviderMetrics, type ProviderMetrics } from '../metrics/port.js';

type Operation = 'start' | 'check' | 'cancel' | 'health';

type Failure =
  | { kind: 'twilio'; code: number | undefined; status: number; requestId: string | undefined; message: string }
  | { kind: 'network'; reason: string }
  | { kind: 'unknown'; reason: string };

// The SDK's exceptions carry no response headers, so the request id of a
// failed call is handed from the HTTP client to the caller through the async
// context of that one call (safe with concurrent calls on one client).
const callContext = new AsyncLocalStorage<{ requestId?: string }>();

const DELIVERY_FAILED_CODES = new Set([60200, 60205, 60410, 60412]);

/**
 * Sends every SDK call to `baseUrl` instead of Twilio's Verify host. The host
 * is matched loosely because TWILIO_REGION / TWILIO_EDGE in the environment
 * make the SDK rewrite it (verify.dublin.ie1.twilio.com) before we see it.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  readonly #baseUrl: string;

  constructor(baseUrl: string, timeoutMs: number) {
    // autoRetry stays off: a retried send could deliver a second SMS, and our
    // own limits must see every attempt.
    super({ timeout: timeoutMs, autoRetry: false });
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    const url = new URL(opts.uri);
    const uri = /^verify(\.[a-z0-9-]+)*\.twilio\.com$/i.test(url.hostname)
      ? `${this.#baseUrl}${url.pathname}${url.search}`
      : opts.uri;
    // logLevel is dropped so TWILIO_LOG_LEVEL=debug cannot make the SDK print
    // requests (with the phone number) to stdout behind pino's back.
    const response = await super.request({ ...opts, uri, logLevel: undefined });
    const store = callContext.getStore();
    if (store) store.requestId = headerValue(response.headers, 'twilio-request-id');
    return response;
  }
}

export function createTwilioVerifyProvider(settings: TwilioSettings, logger: ProviderLogger, metrics: ProviderMetrics = noProviderMetrics): OtpProvider {
  const client = twilio(settings.accountSid, settings.authToken, {
    httpClient: new RedirectingRequestClient(settings.baseUrl, settings.timeoutMs),
    autoRetry: false,
  });
  const service = client.verify.v2.services(settings.verifyServiceSid);
  const secrets = [settings.authToken];

  async function attempt<T>(fn: () => Promise<T>): Promise<{ value: T } | { failure: Failure }> {
    const context: { requestId?: string } = {};
    try {
      return { value: await callContext.run(context, fn) };
    } catch (error) {
      return { failure: classify(error, context.requestId) };
    }
  }

  /** Logs the failure (never the token, code or whole phone) and returns the AppError to throw. */
  function fail(operation: Operation, phone: string, failure: Failure, extraSecrets: string[] = []): AppError {
    const error = toAppError(operation, failure);
    metrics.providerError(providerCodeOf(failure));
    const level = error.code === 'OTP_PROVIDER_UNAVAILABLE' ? 'error' : 'warn';
    logger[level](
      { provider: 'twilio-verify', operation, phone: maskPhone(phone), mappedTo: error.code, ...describe(failure, [...secrets, phone, ...extraSecrets]) },
      `twilio-verify: ${operation} failed (${summary(failure, settings.timeoutMs)})`,
    );
    return error;
  }

  return {
    name: 'twilio-verify',

    async startVerification(phoneE164, channel = 'sms') {
      // Verify's `call` channel reads the same kind of code out in a voice call.
      const result = await attempt(() => service.verifications.create({ to: phoneE164, channel }));
      if ('failure' in result) throw fail('start', phoneE164, result.failure);
      return { providerRef: result.value.sid };
    },

    async checkCode({ phoneE164, code, providerRef }): Promise<CodeCheckOutcome> {
      const params = providerRef ? { verificationSid: providerRef, code } : { to: phoneE164, code };
      const result = await attempt(() => service.verificationChecks.create(params));
      if ('failure' in result) {
        const verdict = checkVerdict(result.failure);
        if (!verdict) throw fail('check', phoneE164, result.failure, [code]);
        logger.warn(
          { provider: 'twilio-verify', operation: 'check', phone: maskPhone(phoneE164), mappedTo: verdict, ...describe(result.failure, [...secrets, phoneE164, code]) },
          `twilio-verify: check answered ${verdict} (${summary(result.failure, settings.timeoutMs)})`,
        );
        return verdict;
      }
      return result.value.status === 'approved' ? 'approved' : 'wrong';
    },

    async cancelVerification({ phoneE164, providerRef }) {
      if (providerRef === null) return;
      const result = await attempt(() => service.verifications(providerRef).update({ status: 'canceled' }));
      if (!('failure' in result)) return;
      const failure = result.failure;
      // After an approval, expiry or a replacing send Twilio no longer has the
      // verification pending and answers 20404: the normal end, not a problem.
      const gone = failure.kind === 'twilio' && failure.code === 20404;
      if (!gone) metrics.providerError(providerCodeOf(failure));
      logger[gone ? 'info' : 'warn'](
        { provider: 'twilio-verify', operation: 'cancel', phone: maskPhone(phoneE164), providerRef, ...describe(failure, [...secrets, phoneE164]) },
        gone
          ? 'twilio-verify: verification already ended, nothing to cancel'
          : `twilio-verify: cancel failed (${summary(failure, settings.timeoutMs)}); the verification expires on its own`,
      );
    },

    async checkHealth(): Promise<ProviderHealth> {
      const sid = settings.verifyServiceSid;
      const result = await attempt(() => service.fetch());
      if (!('failure' in result)) return { ok: true, detail: `twilio-verify: service ${sid} reachable` };
      const failure = result.failure;
      logger.warn({ provider: 'twilio-verify', operation: 'health', ...describe(failure, secrets) }, `twilio-verify: health check failed (${summary(failure, settings.timeoutMs)})`);
      return { ok: false, detail: healthDetail(failure, settings) };
    },
  };
}

function classify(error: unknown, requestId: string | undefined): Failure {
  if (typeof error !== 'object' || error === null) return { kind: 'unknown', reason: typeof error };
  const e = error as Record<string, unknown>;
  // Network trouble surfaces as the axios error itself; it must never be
  // logged whole: its config holds the Authorization header and the form body.
  if (e.isAxiosError === true) {
    const code = typeof e.code === 'string' ? e.code : 'network error';
    return { kind: 'network', reason: code === 'ECONNABORTED' && /timeout/i.test(String(e.message)) ? 'ETIMEDOUT' : code };
  }
  // RestException (legacy body) and TwilioServiceException (RFC 9457 body) both carry status and code.
  if (typeof e.status === 'number') {
    const ref = typeof e.moreInfo === 'string' ? e.moreInfo : typeof e.type === 'string' && e.type !== '' ? e.type : undefined;
    return {
      kind: 'twilio',
      code: typeof e.code === 'number' ? e.code : undefined,
      status: e.status,
      requestId: requestId ?? ref,
      message: typeof e.message === 'string' ? e.message : '',
    };
  }
  return { kind: 'unknown', reason: error instanceof Error ? error.name : 'non-error' };
}

/** Twilio answers to a check that are verdicts on the verification, not failures to judge. */
function checkVerdict(failure: Failure): 'expired' | 'exhausted' | undefined {
  if (failure.kind !== 'twilio') return undefined;
  // 20404: no pending verification (expired, replaced by a newer send, or approved by a parallel check).
  if (failure.code === 20404) return 'expired';
  if (failure.code === 60202) return 'exhausted';
  return undefined;
}

function toAppError(_operation: Operation, failure: Failure): AppError {
  if (failure.kind !== 'twilio' || failure.code === undefined) return new AppError('OTP_PROVIDER_UNAVAILABLE');
  const code = failure.code;
  if (DELIVERY_FAILED_CODES.has(code)) return new AppError('OTP_DELIVERY_FAILED');
  if (code === 60203) return tooManyRequests('OTP_RATE_LIMITED', 'Too many OTP requests.', 600);
  if (code === 60212) return tooManyRequests('OTP_RATE_LIMITED', 'Too many OTP requests.', 60);
  // On a check, 20404 and 60202 are verdicts (checkVerdict); elsewhere "not
  // found" means the service SID is wrong, which no user can fix.
  return new AppError('OTP_PROVIDER_UNAVAILABLE');
}

/** The metric label of a failure: Twilio's code, else what went wrong on the way (never a message). */
function providerCodeOf(failure: Failure): string {
  if (failure.kind === 'twilio') {
    if (failure.code !== undefined) return String(failure.code);
    return failure.status >= 500 ? 'http_5xx' : 'http_4xx';
  }
  if (failure.kind === 'network') return failure.reason === 'ETIMEDOUT' ? 'timeout' : 'network';
  return 'other';
}

function describe(failure: Failure, secrets: string[]): Record<string, unknown> {
  if (failure.kind !== 'twilio') return { failure: failure.kind, reason: failure.reason };
  return {
    twilioCode: failure.code ?? null,
    httpStatus: failure.status,
    requestId: failure.requestId ?? null,
    twilioMessage: scrub(failure.message, secrets),
  };
}

function summary(failure: Failure, timeoutMs: number): string {
  if (failure.kind === 'twilio') return `Twilio ${failure.code ?? 'error'}, HTTP ${failure.status}`;
  if (failure.reason === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms`;
  return failure.reason;
}

function healthDetail(failure: Failure, settings: TwilioSettings): string {
  const where = `check TWILIO_VERIFY_BASE_URL (${settings.baseUrl}) and the network`;
  if (failure.kind === 'network') {
    return failure.reason === 'ETIMEDOUT'
      ? `twilio-verify: no answer from ${settings.baseUrl} within ${settings.timeoutMs} ms: ${where}.`
      : `twilio-verify: cannot reach ${settings.baseUrl} (${failure.reason}): ${where}.`;
  }
  if (failure.kind === 'unknown') return `twilio-verify: the service check failed unexpectedly (${failure.reason}): ${where}.`;
  if (failure.code === 20003 || failure.status === 401) {
    return 'twilio-verify: Twilio refused the credentials (20003): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (copy them again from the Twilio console).';
  }
  if (failure.code === 20404) {
    return `twilio-verify: Verify service ${settings.verifyServiceSid} was not found for this account (20404): check TWILIO_VERIFY_SERVICE_SID.`;
  }
  if (failure.status >= 500) return `twilio-verify: Twilio answered HTTP ${failure.status}: try again shortly, or ${where}.`;
  return `twilio-verify: Twilio answered ${failure.code ?? 'an error'} (HTTP ${failure.status}) to the service check: ${where}.`;
}


/** Twilio's message may echo a parameter; strip anything we know is private and any long digit run. */
function scrub(message: string, secrets: string[]): string {
  let text = message;
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  return text.replace(/\+?\d[\d\s().-]{2,}\d/g, '[redacted]').slice(0, 300);
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
