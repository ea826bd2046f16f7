import { HeraldError } from '@herald/protocol';
import { Backoff } from './backoff.js';

/** How long before a JWT's `exp` a fresh token is fetched at most, in ms. */
export const REFRESH_BEFORE_EXPIRY_MS = 30_000;
/** A refresh due sooner than this counts as due already: the token came (nearly) expired. */
const MIN_REFRESH_DELAY_MS = 1000;

/**
 * How long after its arrival a token living `lifetimeMs` more is replaced, in ms: 30 s before its
 * `exp`, or a quarter of its lifetime before when that is shorter (a 25 s token: after 18.75 s), so
 * a short-lived token is not refreshed again at once. `undefined` when that is less than a second
 * away (expired, or clocks apart): the caller backs off instead.
 */
export function resolveRefreshDelayMs(lifetimeMs: number): number | undefined {
  const delayMs = lifetimeMs - Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetimeMs / 4);
  return delayMs < MIN_REFRESH_DELAY_MS ? undefined : delayMs;
}

/** Reads a JWT's `exp` claim as epoch ms; `undefined` for anything that is not a JWT with one. */
export function resolveTokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The client's current bearer token. With `getToken`, it fetches a fresh one on demand (the server
 * said the token expired) and ahead of a JWT's expiry (resolveRefreshDelayMs), and tells `onRefresh`
 * so a live WebSocket can send `{"op":"auth"}` instead of reconnecting. A token that comes already
 * expired is still used once (the server's clock decides), but the next one is fetched only after
 * the client's backoff (full jitter, capped), so a broken `getToken` cannot make it loop.
 */
export class TokenSource {
  #token: string | undefined;
  readonly #getToken: (() => string | Promise<string>) | undefined;
  readonly #onRefresh: (token: string) => void;
  #refreshing: Promise<string | undefined> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isClosed = false;
  /** The current token came expired: the next `getToken` call waits for the backoff timer. */
  #isBackingOff = false;
  readonly #backoff: Backoff;

  constructor(
    token: string | undefined,
    getToken: (() => string | Promise<string>) | undefined,
    onRefresh: (token: string) => void,
    random?: () => number,
  ) {
    this.#backoff = new Backoff(random);
    this.#token = token;
    this.#getToken = getToken;
    this.#onRefresh = onRefresh;
    if (token) this.#scheduleRefresh(token);
  }

  /** The token to send now, if any. */
  get current(): string | undefined {
    return this.#token;
  }

  /** Whether a fresh token can be fetched. */
  get canRefresh(): boolean {
    return this.#getToken !== undefined;
  }

  /** The token, fetching the first one from `getToken` when none was given. */
  async ready(): Promise<string | undefined> {
    return this.#token ?? (this.canRefresh ? this.refresh() : undefined);
  }

  /**
   * Fetches a fresh token (one call at a time). While the last one came expired, only the scheduled
   * retry calls `getToken`, once per backoff step; asking sooner gets the current token.
   */
  refresh(isScheduled?: boolean): Promise<string | undefined> {
    const getToken = this.#getToken;
    if (!getToken || (this.#isBackingOff && !isScheduled)) return Promise.resolve(this.#token);
    this.#refreshing ??= (async () => {
      try {
        const token = await getToken();
        if (this.#isClosed) return token;
        this.#token = token;
        this.#scheduleRefresh(token);
        this.#onRefresh(token);
        return token;
      } catch (cause) {
        throw new HeraldError('unauthorized', 'getToken() failed', { cause });
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Stops the expiry timer. */
  close(): void {
    this.#isClosed = true;
    clearTimeout(this.#timer);
  }

  #scheduleRefresh(token: string): void {
    clearTimeout(this.#timer);
    const expiresAt = resolveTokenExpiry(token);
    if (expiresAt === undefined || !this.canRefresh) return;
    const delayMs = resolveRefreshDelayMs(expiresAt - Date.now());
    this.#isBackingOff = delayMs === undefined;
    if (!this.#isBackingOff) this.#backoff.reset();
    this.#timer = setTimeout(() => {
      this.refresh(true).catch(() => {
        // The next request or the server's 4001 triggers another refresh.
      });
    }, delayMs ?? this.#backoff.next());
  }
}
