import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../config/config.js';

/** Whether the address at position `hop` (0 = the socket's peer) is a proxy whose `X-Forwarded-For` entry counts. */
export type ProxyTrust = (address: string, hop: number) => boolean;

const TRUST_NONE: ProxyTrust = () => false;

/**
 * The trust rule of a `trustProxy` setting, shared by Fastify (`request.ip`) and the WebSocket
 * upgrade so both name the same client. Entries of `X-Forwarded-For` are read from the right, and
 * only those added by trusted proxies count: a client's own (forged) entries stay to the left of
 * what the proxy appended and are never reached.
 */
export function createProxyTrust(trustProxy: TrustProxy): ProxyTrust {
  if (trustProxy === false || trustProxy === 0) return TRUST_NONE;
  if (trustProxy === true || typeof trustProxy === 'number') {
    const hops = trustProxy === true ? 1 : trustProxy;
    return (_address, hop) => hop < hops;
  }
  return proxyAddr.compile(trustProxy);
}

/**
 * The client address per-IP limits count against: the socket's peer, or, behind trusted proxies,
 * the address the outermost trusted proxy saw (see `createProxyTrust`).
 */
export function resolveClientIp(request: IncomingMessage, trust: ProxyTrust): string {
  return proxyAddr(request, trust) || request.socket.remoteAddress || 'unknown';
}
