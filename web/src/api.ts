// The HTTP client of the UI (contract: shared/API.md). The access token lives
// in memory only, so a script injected into another tab or a stolen disk
// image never finds it; the refresh token lives in sessionStorage, so a reload
// of this tab keeps the session and closing the tab ends it. A 401
// TOKEN_EXPIRED is answered by one refresh and one retry. Refreshes are
// single-flight: refresh tokens rotate, and two parallel refreshes with the
// same token would make the server revoke the whole session.
// The refresh token lives `refreshExpiresIn` seconds unused (SESSION_IDLE_TTL,
// capped by SESSION_MAX_TTL): the UI keeps that deadline to warn before it.

import type { Problem, TokenAnswer, User } from './types';

const REFRESH_TOKEN_KEY = 'boreal.refreshToken';

export class ApiError extends Error {
  readonly problem: Problem;
  /** Seconds from the Retry-After header (429), when present. */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get code(): string {
    return this.problem.code;
  }
}

let accessToken: string | null = null;
let refreshInFlight: Promise<TokenAnswer> | null = null;
/** Date.now() at which the refresh token ends unless used (browser clock; the server's is the one that counts). */
let idleEndsAtMs: number | null = null;
const sessionEndedListeners = new Set<(reason: ApiError) => void>();
const sessionRenewedListeners = new Set<() => void>();

function readRefreshToken(): string | null {
  try {
    return window.sessionStorage.getItem(REFRESH_TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeRefreshToken(token: string | null): void {
  try {
    if (token === null) window.sessionStorage.removeItem(REFRESH_TOKEN_KEY);
    else window.sessionStorage.setItem(REFRESH_TOKEN_KEY, token);
  } catch {
    // Storage refused (private mode): the session then lasts as long as the page.
  }
}

export const session = {
  /** Keeps the tokens of a verify or refresh answer. */
  start(answer: TokenAnswer): User {
    accessToken = answer.accessToken;
    writeRefreshToken(answer.refreshToken);
    idleEndsAtMs = Date.now() + answer.refreshExpiresIn * 1000;
    for (const listener of sessionRenewedListeners) listener();
    return answer.user;
  },
  clear(): void {
    accessToken = null;
    idleEndsAtMs = null;
    writeRefreshToken(null);
  },
  /** When the session ends for lack of use (ms since the epoch), or null when signed out. */
  idleEndsAt: (): number | null => idleEndsAtMs,
  /** Called after each sign-in or refresh: the idle deadline moved. */
  onRenewed(listener: () => void): () => void {
    sessionRenewedListeners.add(listener);
    return () => sessionRenewedListeners.delete(listener);
  },
  hasRefreshToken: () => readRefreshToken() !== null,
  /** Called when a refresh fails: the session is over and the user must sign in again. */
  onEnded(listener: (reason: ApiError) => void): () => void {
    sessionEndedListeners.add(listener);
    return () => sessionEndedListeners.delete(listener);
  },
};

export type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Send the access token (default true). */
  auth?: boolean;
}

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem;
  try {
    problem = (await response.json()) as Problem;
  } catch {
    problem = { status: response.status, code: 'UNEXPECTED_RESPONSE', detail: `The server answered ${response.status}.` };
  }
  if (typeof problem.code !== 'string') problem = { ...problem, status: response.status, code: 'UNEXPECTED_RESPONSE', detail: problem.detail ?? `The server answered ${response.status}.` };
  const retryAfter = Number(response.headers.get('Retry-After'));
  return new ApiError(problem, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if ((options.auth ?? true) && accessToken) headers.authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(urlOf(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', detail: 'The server cannot be reached. Check your connection and try again.' });
  }
}

async function parse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function refreshSession(): Promise<TokenAnswer> {
  refreshInFlight ??= (async () => {
    const refreshToken = readRefreshToken();
    if (!refreshToken) throw new ApiError({ status: 401, code: 'INVALID_REFRESH_TOKEN', detail: 'Your session has ended. Sign in again.' });
    const response = await send('POST', '/api/auth/refresh', { body: { refreshToken }, auth: false });
    if (!response.ok) throw await problemOf(response);
    const answer = await parse<TokenAnswer>(response);
    session.start(answer);
    return answer;
  })().finally(() => {
    refreshInFlight = null;
  });
  return refreshInFlight;
}

function endSession(reason: ApiError): void {
  session.clear();
  for (const listener of sessionEndedListeners) listener(reason);
}

/** One API call; throws ApiError with the server's problem document on any non-2xx. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(method, path, options);
  if (response.status === 401 && (options.auth ?? true)) {
    const error = await problemOf(response);
    if (error.code !== 'TOKEN_EXPIRED') {
      if (error.code === 'INVALID_TOKEN' || error.code === 'AUTHENTICATION_REQUIRED') endSession(error);
      throw error;
    }
    try {
      await refreshSession();
    } catch (refreshError) {
      const reason = refreshError instanceof ApiError ? refreshError : error;
      endSession(reason);
      throw reason;
    }
    response = await send(method, path, options);
  }
  if (!response.ok) throw await problemOf(response);
  return parse<T>(response);
}

/** After a reload: the access token is gone, the refresh token may remain. */
export async function resumeSession(): Promise<User | null> {
  if (!session.hasRefreshToken()) return null;
  try {
    return (await refreshSession()).user;
  } catch {
    session.clear();
    return null;
  }
}

/** "Stay signed in": spends the refresh token for a new one, which restarts the idle time. */
export async function renewSession(): Promise<void> {
  try {
    await refreshSession();
  } catch (caught) {
    const reason = caught instanceof ApiError ? caught : new ApiError({ status: 401, code: 'INVALID_REFRESH_TOKEN', detail: 'Your session has ended. Sign in again.' });
    endSession(reason);
    throw reason;
  }
}

/** The idle deadline passed: the server has ended the session, so the UI asks for a sign-in now rather than at the next click. */
export function endIdleSession(): void {
  endSession(new ApiError({ status: 401, code: 'SESSION_IDLE', detail: 'Your session ended after a period without activity. Sign in again.' }));
}

export async function signOut(): Promise<void> {
  try {
    if (accessToken) await api<void>('POST', '/api/auth/logout');
  } catch {
    // Signing out locally is what matters to the user; the server session expires anyway.
  } finally {
    session.clear();
  }
}
