import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../src/fanout/broker.js';
import { encodeAnnouncementMessage, parseAnnouncementMessage } from '../../src/fanout/redis-broker-codec.js';

const streamName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,20}$/);

const eventsAnnouncement: fc.Arbitrary<Announcement> = fc
  .record({
    stream: streamName,
    epoch: fc.uuid(),
    firstSeq: fc.integer({ min: 1, max: 1_000_000 }),
    payloads: fc.array(fc.jsonValue(), { maxLength: 5 }),
  })
  .map(({ stream, epoch, firstSeq, payloads }) => ({
    kind: 'events' as const,
    stream,
    epoch,
    records: payloads.map((data, i) => {
      const seq = firstSeq + i;
      return { stream, seq, json: JSON.stringify({ stream, seq, type: 't', data }) };
    }),
  }));

const deletedAnnouncement: fc.Arbitrary<Announcement> = streamName.map((stream) => ({
  kind: 'deleted' as const,
  stream,
}));

describe('redis announcement codec', () => {
  it('decodes what it encodes, carrying each stored JSON text verbatim', () => {
    fc.assert(
      fc.property(fc.oneof(eventsAnnouncement, deletedAnnouncement), fc.uuid(), (announcement, node) => {
        const message = encodeAnnouncementMessage({ node, announcement });
        expect(parseAnnouncementMessage(message)).toEqual({ node, announcement });
      }),
    );
  });

  it('ignores a message whose record count disagrees with its header', () => {
    const header = JSON.stringify({ node: 'n', kind: 'events', stream: 's', epoch: 'e', seqs: [1, 2] });
    expect(parseAnnouncementMessage(`${header}\n{"seq":1}`)).toBeNull();
  });

  it.each([
    ['not JSON', 'hello'],
    ['an unknown kind', JSON.stringify({ node: 'n', kind: 'other', stream: 's' })],
    ['a seq below 1', JSON.stringify({ node: 'n', kind: 'events', stream: 's', epoch: 'e', seqs: [0] })],
    ['no node', JSON.stringify({ kind: 'deleted', stream: 's' })],
  ])('ignores a message with %s', (_, message) => {
    expect(parseAnnouncementMessage(message)).toBeNull();
  });
});
