import { describe, expect, it } from 'vitest';
import {
  API_PATHS,
  API_PREFIX,
  ingestPath,
  ROUTE_PATTERNS,
  streamEventsPath,
  streamPath,
  webSocketUrl,
  withQuery,
} from '../src/api-paths.js';

describe('api paths', () => {
  it('encodes the stream name into its paths', () => {
    expect(streamPath('run:42')).toBe('/v1/streams/run%3A42');
    expect(streamEventsPath('a@b.c')).toBe('/v1/streams/a%40b.c/events');
  });

  it('leaves undefined query values out, repeats arrays and encodes values', () => {
    expect(withQuery('/v1/sse', { stream: ['a', 'b c'], after: 0, epoch: undefined })).toBe(
      '/v1/sse?stream=a&stream=b+c&after=0',
    );
    expect(withQuery('/v1/events', { cursor: undefined })).toBe('/v1/events');
  });

  it('derives the WebSocket URL from the HTTP base URL', () => {
    expect(webSocketUrl('http://127.0.0.1:8700')).toBe('ws://127.0.0.1:8700/v1/ws');
    expect(webSocketUrl('https://herald.example.com/')).toBe('wss://herald.example.com/v1/ws');
  });

  it('gives route patterns that match the paths the builders make', () => {
    const asRegExp = (pattern: string) => new RegExp(`^${pattern.replace(':stream', '[^/]+')}$`);
    expect(streamPath('run:42')).toMatch(asRegExp(ROUTE_PATTERNS.stream));
    expect(streamEventsPath('run:42')).toMatch(asRegExp(ROUTE_PATTERNS.streamEvents));
    expect(streamEventsPath('run:42')).not.toMatch(asRegExp(ROUTE_PATTERNS.stream));
  });

  it('starts every API path with the API prefix', () => {
    for (const path of [API_PATHS.streams, API_PATHS.events, API_PATHS.sse, API_PATHS.webSocket, API_PATHS.ingest]) {
      expect(path.startsWith(API_PREFIX), path).toBe(true);
    }
  });

  it("builds a webhook source's ingest path", () => {
    expect(ingestPath('github')).toBe('/v1/ingest/github');
  });
});
