// A loopback stand-in for Twilio Verify v2, spoken over real HTTP so the
// official SDK (auth header, form encoding, error parsing) is exercised as in
// production. It keeps Twilio's wire format: form bodies in, snake_case JSON
// out, errors as { code, message, more_info, status } with a Twilio-Request-Id.

import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeTwilioMode = 'normal' | 'slow' | 'down';

export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** The form body; `Code` is replaced by "[code]" so a request log is safe to print. */
  form: Record<string, string>;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  /** The code generated for the latest verification sent to `phone`. */
  lastCode(phone: string): string | undefined;
  sent: { to: string; channel: string }[];
  canceled: string[];
  requests: FakeTwilioRequest[];
  /** The next request answers this Twilio error (a bare HTTP status like 500 answers as Twilio's 20500). */
  failNext(code: number, status?: number): void;
  setMode(mode: FakeTwilioMode): void;
  close(): Promise<void>;
}

// Verify keeps a verification pending for 10 minutes and allows 5 wrong checks.
const VERIFICATION_TTL_MS = 10 * 60_000;
const MAX_CHECKS = 5;
const SLOW_DELAY_MS = 60_000;

const TWILIO_ERRORS: Record<number, { status: number; message: string }> = {
  20003: { status: 401, message: 'Authenticate' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'An internal server error has occurred' },
  20503: { status: 503, message: 'Service unavailable' },
  60200: { status: 400, message: 'Invalid parameter' },
  60202: { status: 429, message: 'Max check attempts reached' },
  60203: { status: 429, message: 'Max send attempts reached' },
  60205: { status: 400, message: 'SMS is not supported by landline phone number' },
  60212: { status: 429, message: 'Too many concurrent requests for phone number' },
  60410: { status: 403, message: 'Verification delivery attempt blocked' },
  60412: { status: 403, message: 'Verification delivery attempt blocked: suspected fraud' },
};

interface Verification {
  sid: string;
  to: string;
  channel: string;
  code: string;
  status: 'pending' | 'approved' | 'canceled';
  wrongChecks: number;
  created: Date;
  updated: Date;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const twilioDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startFakeTwilioVerify(
  options: { accountSid?: string; authToken?: string; serviceSid?: string } = {},
): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const serviceSid = options.serviceSid ?? `VA${hex(16)}`;
  const serviceCreated = new Date();

  const verifications = new Map<string, Verification>();
  const pendingByPhone = new Map<string, string>();
  const codes = new Map<string, string>();
  const sent: FakeTwilio['sent'] = [];
  const canceled: string[] = [];
  const requests: FakeTwilioRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: FakeTwilioMode = 'normal';
  let nextFailure: { code: number; status: number } | undefined;
  let url = '';

  /** The pending verification, after letting Twilio's 10-minute expiry happen. */
  const pending = (verification: Verification | undefined): Verification | undefined => {
    if (!verification || verification.status !== 'pending') return undefined;
    if (Date.now() - verification.created.getTime() > VERIFICATION_TTL_MS) return undefined;
    return verification;
  };

  const verificationResource = (v: Verification) => ({
    sid: v.sid,
    service_sid: serviceSid,
    account_sid: accountSid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === 'approved',
    lookup: { carrier: null },
    amount: null,
    payee: null,
    send_code_attempts: [{ attempt_sid: `VL${hex(16)}`, channel: v.channel, time: twilioDate(v.created) }],
    sna: null,
    date_created: twilioDate(v.created),
    date_updated: twilioDate(v.updated),
    url: `${url}/v2/Services/${serviceSid}/Verifications/${v.sid}`,
  });

  const serviceResource = () => ({
    sid: serviceSid,
    account_sid: accountSid,
    friendly_name: 'Boreal Portal (fake)',
    code_length: 6,
    lookup_enabled: false,
    psd2_enabled: false,
    skip_sms_to_landlines: false,
    dtmf_input_required: true,
    tts_name: null,
    do_not_share_warning_enabled: false,
    custom_code_enabled: false,
    push: {},
    totp: {},
    default_template_sid: null,
    whatsapp: {},
    verify_event_subscription_enabled: false,
    date_created: twilioDate(serviceCreated),
    date_updated: twilioDate(serviceCreated),
    url: `${url}/v2/Services/${serviceSid}`,
    links: {},
  });

  type Answer = { status: number; body: unknown };
  const twilioError = (code: number, status?: number, message?: string): Answer => {
    const known = TWILIO_ERRORS[code];
    const httpStatus = status ?? known?.status ?? 400;
    return {
      status: httpStatus,
      body: { code, message: message ?? known?.message ?? 'Error', more_info: `https://www.twilio.com/docs/errors/${code}`, status: httpStatus },
    };
  };
  const notFound = (path: string) => twilioError(20404, 404, `The requested resource ${path} was not found`);

  const route = (method: string, path: string, form: Record<string, string>, authorization: string | undefined): Answer => {
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (authorization !== expected) return twilioError(20003, 401);

    const match = /^\/v2\/Services\/([^/]+)(?:\/(Verifications|VerificationCheck)(?:\/([^/]+))?)?$/.exec(path);
    if (!match || match[1] !== serviceSid) return notFound(path);
    const [, , collection, verificationSid] = match;

    if (!collection && method === 'GET') return { status: 200, body: serviceResource() };

    if (collection === 'Verifications' && !verificationSid && method === 'POST') {
      const to = form.To ?? '';
      const channel = form.Channel ?? '';
      if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(60200, 400, 'Invalid parameter `To`');
      if (!['sms', 'call', 'email', 'whatsapp'].includes(channel)) return twilioError(60200, 400, 'Invalid parameter: Channel');
      // A new send replaces the pending verification of this number.
      const previous = verifications.get(pendingByPhone.get(to) ?? '');
      if (previous?.status === 'pending') previous.status = 'canceled';
      const now = new Date();
      const verification: Verification = {
        sid: `VE${hex(16)}`, to, channel, code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
        status: 'pending', wrongChecks: 0, created: now, updated: now,
      };
      verifications.set(verification.sid, verification);
      pendingByPhone.set(to, verification.sid);
      codes.set(to, verification.code);
      sent.push({ to, channel });
      return { status: 201, body: verificationResource(verification) };
    }

    if (collection === 'Verifications' && verificationSid) {
      const verification = verifications.get(verificationSid);
      if (method === 'GET' && verification) return { status: 200, body: verificationResource(verification) };
      if (method !== 'POST' || !pending(verification)) return notFound(path);
      if (form.Status !== 'canceled' && form.Status !== 'approved') return twilioError(60200, 400, 'Invalid parameter: Status');
      verification!.status = form.Status;
      verification!.updated = new Date();
      if (form.Status === 'canceled') canceled.push(verificationSid);
      return { status: 200, body: verificationResource(verification!) };
    }

    if (collection === 'VerificationCheck' && method === 'POST') {
      if (!form.Code) return twilioError(60200, 400, 'Invalid parameter: Code');
      const sid = form.VerificationSid ?? pendingByPhone.get(form.To ?? '');
      const verification = pending(verifications.get(sid ?? ''));
      if (!verification) return notFound(path);
      if (verification.wrongChecks >= MAX_CHECKS) return twilioError(60202);
      if (form.Code === verification.code) verification.status = 'approved';
      else verification.wrongChecks += 1;
      verification.updated = new Date();
      const { sid: checkSid, to, channel, status, date_created, date_updated } = verificationResource(verification);
      return {
        status: 200,
        body: {
          sid: checkSid, service_sid: serviceSid, account_sid: accountSid, to, channel, status,
          valid: status === 'approved', amount: null, payee: null,
          date_created, date_updated, sna_attempts_error_codes: [],
        },
      };
    }
    return notFound(path);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push({ method: req.method ?? '', path, form: form.Code === undefined ? { ...form } : { ...form, Code: '[code]' } });

      if (mode === 'down') {
        req.socket.destroy();
        return;
      }
      let answer: Answer;
      if (nextFailure) {
        answer = twilioError(nextFailure.code, nextFailure.status);
        nextFailure = undefined;
      } else {
        answer = route(req.method ?? '', path, form, req.headers.authorization);
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Twilio-Request-Id': `RQ${hex(16)}` });
        res.end(JSON.stringify(answer.body));
      };
      if (mode === 'slow') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, SLOW_DELAY_MS);
        timers.add(timer);
      } else {
        send();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    accountSid,
    authToken,
    serviceSid,
    lastCode: (phone) => codes.get(phone),
    sent,
    canceled,
    requests,
    failNext(code, status) {
      // A bare HTTP status (500, 503) answers as Twilio's own 20xxx code for it.
      const twilioCode = code < 1000 ? 20000 + code : code;
      nextFailure = { code: twilioCode, status: status ?? TWILIO_ERRORS[twilioCode]?.status ?? (code < 1000 ? code : 400) };
    },
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
