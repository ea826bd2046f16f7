/**
 * A feed whose cursor the server refuses for good — one beyond its log's head, from another
 * deployment or a store since restored or wiped — ends with one `error` (`invalid_request`) on
 * every transport, instead of retrying the same refused request forever.
 */
import type { HeraldError } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_ORDER } from '../src/types.js';
import { publishDirect, sleep, useFollowHarness, waitUntil } from './support/live-herald.js';

const BEYOND_HEAD = Buffer.from(JSON.stringify({ h: 1_000_000 })).toString('base64url');

describe.each(TRANSPORT_ORDER)('a feed cursor beyond the head on %s', (transport) => {
  const harness = useFollowHarness({ transports: [transport] });

  it('ends the feed with one invalid_request error and delivers nothing', async () => {
    await publishDirect(harness.herald.serverUrl, 'run:1', { type: 'tick' });
    const errors: HeraldError[] = [];
    const delivered: unknown[] = [];
    harness.feed = harness.client.follow(
      { prefix: 'run:' },
      { cursor: BEYOND_HEAD, onEvent: (event) => delivered.push(event) },
    );
    harness.feed.on('error', (error) => errors.push(error));
    await waitUntil(() => errors.length > 0, 10_000, 'the refusal');
    // A retrying feed would be refused again within its backoff (well under 3 s at first).
    await sleep(3_000);
    expect(errors.map((error) => error.code)).toEqual(['invalid_request']);
    expect(errors[0]!.message).toContain('cursor');
    expect(delivered).toEqual([]);
  });
});
