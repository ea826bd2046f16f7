import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchedWriter, type BatchOutput } from '../../src/transports/batched-writer.js';

/** An output that records each batch it is given, as one string per batch. */
function recordingTarget(): { target: BatchOutput & { isOpen: boolean; buffers: Buffer[] }; writes: string[] } {
  const writes: string[] = [];
  const target = {
    isOpen: true,
    buffers: [] as Buffer[],
    writeBatch(batch: Buffer) {
      target.buffers.push(batch);
      writes.push(batch.toString());
    },
  };
  return { target, writes };
}

describe('BatchedWriter', () => {
  it('hands a tick of chunks to the target as one write, in order, at uncork', () => {
    const { target, writes } = recordingTarget();
    const batch = new BatchedWriter(target);
    batch.cork();
    batch.write(Buffer.from('a'));
    batch.write(Buffer.from('bc'));
    batch.write(Buffer.from('d'));
    expect(writes).toEqual([]);
    batch.uncork();
    expect(writes).toEqual(['abcd']);
  });

  it('writes nothing when the tick collected nothing', () => {
    const { target, writes } = recordingTarget();
    const batch = new BatchedWriter(target);
    batch.uncork();
    expect(writes).toEqual([]);
  });

  it('hands a large batch over before the tick ends, without losing or reordering bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        const { target, writes } = recordingTarget();
        const batch = new BatchedWriter(target);
        const chunks = sizes.map((size, i) => String.fromCharCode(97 + (i % 26)).repeat(size));
        for (const chunk of chunks) batch.write(Buffer.from(chunk));
        // No write is held back once 64 KiB are collected.
        const heldBytes = chunks.join('').length - writes.join('').length;
        expect(heldBytes).toBeLessThan(64 * 1024);
        batch.uncork();
        expect(writes.join('')).toBe(chunks.join(''));
      }),
      { numRuns: 50 },
    );
  });

  it('hands over the frame itself, not a copy, when the tick collected one frame', () => {
    const { target } = recordingTarget();
    const batch = new BatchedWriter(target);
    const frame = Buffer.from('id: 1\ndata: {}\n\n');
    batch.write(frame);
    batch.uncork();
    expect(target.buffers).toHaveLength(1);
    expect(target.buffers[0]).toBe(frame);
  });

  it('drops the batch of a closed output', () => {
    const { target, writes } = recordingTarget();
    const batch = new BatchedWriter(target);
    batch.write(Buffer.from('lost'));
    target.isOpen = false;
    batch.uncork();
    expect(writes).toEqual([]);
  });
});
