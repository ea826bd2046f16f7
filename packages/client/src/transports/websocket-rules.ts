import {
  errorCodeOfClose,
  HEARTBEAT_INTERVAL_MS,
  HeraldError,
  QUERY_PARAMS,
  webSocketUrl,
  withQuery,
} from '@herald/protocol';

/**
 * Silence after which the socket counts as dead, in ms: the server sends `hb` after 15 s idle, so
 * two missed heartbeats plus slack mean a wedged connection that the OS has not noticed.
 */
export const WEBSOCKET_DEAD_AFTER_MS = 2 * HEARTBEAT_INTERVAL_MS + 5_000;

/** The error a close code stands for; normal and abnormal closes are a retryable `unavailable`. */
export function errorFromCloseCode(code: number, reason: string): HeraldError {
  return new HeraldError(errorCodeOfClose(code) ?? 'unavailable', reason || `WebSocket closed (${code})`, {
    details: { closeCode: code },
  });
}

/** The `/v1/ws` URL for a base URL (`http` → `ws`, `https` → `wss`), with `?token=` as browsers cannot set headers. */
export function resolveWebSocketUrl(baseUrl: string, token: string | undefined): string {
  return withQuery(webSocketUrl(baseUrl), { [QUERY_PARAMS.token]: token || undefined });
}
