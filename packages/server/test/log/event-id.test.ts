import { describe, expect, it } from 'vitest';
import { createEventId } from '../../src/log/event-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createEventId', () => {
  it('makes distinct UUIDv7s across several refills of its random pool', () => {
    const ids = Array.from({ length: 2000 }, () => createEventId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the creation time, to the millisecond, in the first 48 bits', () => {
    const before = Date.now();
    const id = createEventId();
    const after = Date.now();
    const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });
});
