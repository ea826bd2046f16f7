import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createProxyTrust, resolveClientIp } from '../../src/limits/client-ip.js';

function requestFrom(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('resolveClientIp', () => {
  it('counts the socket address when no proxy is trusted, whatever the header claims', () => {
    expect(resolveClientIp(requestFrom('10.0.0.9', '203.0.113.7'), createProxyTrust(false))).toBe('10.0.0.9');
  });

  it('counts the entry the one trusted hop appended, not a forged leftmost entry', () => {
    const trust = createProxyTrust(1);
    expect(resolveClientIp(requestFrom('127.0.0.1', '203.0.113.7, 198.51.100.4'), trust)).toBe('198.51.100.4');
  });

  it('walks as many entries from the right as hops are trusted', () => {
    const trust = createProxyTrust(2);
    expect(resolveClientIp(requestFrom('127.0.0.1', '6.6.6.6, 203.0.113.7, 10.0.0.2'), trust)).toBe('203.0.113.7');
  });

  it('trusts only listed proxy addresses and ranges', () => {
    const trust = createProxyTrust(['127.0.0.1', '10.0.0.0/8']);
    expect(resolveClientIp(requestFrom('127.0.0.1', '6.6.6.6, 203.0.113.7, 10.0.0.2'), trust)).toBe('203.0.113.7');
    expect(resolveClientIp(requestFrom('192.0.2.1', '6.6.6.6'), trust)).toBe('192.0.2.1');
  });

  it('falls back to the socket address when a trusted proxy sent no header', () => {
    expect(resolveClientIp(requestFrom('127.0.0.1'), createProxyTrust(1))).toBe('127.0.0.1');
  });
});
