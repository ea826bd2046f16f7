import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveClientIp } from '../../src/limits/client-ip.js';

function requestFrom(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('resolveClientIp', () => {
  it('counts the socket address when the proxy is not trusted, whatever the header claims', () => {
    expect(resolveClientIp(requestFrom('10.0.0.9', '203.0.113.7'), false)).toBe('10.0.0.9');
  });

  it('counts the original client of X-Forwarded-For behind a trusted proxy', () => {
    expect(resolveClientIp(requestFrom('127.0.0.1', '203.0.113.7, 10.0.0.2'), true)).toBe('203.0.113.7');
  });

  it('falls back to the socket address when a trusted proxy sent no header', () => {
    expect(resolveClientIp(requestFrom('127.0.0.1'), true)).toBe('127.0.0.1');
  });
});
