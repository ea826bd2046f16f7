import { describe, expect, it } from 'vitest';
import { TickCorker } from '../../src/transports/tick-corker.js';

/** A connection stand-in that records its corks and uncorks in order. */
function recordingTarget(name: string, log: string[]) {
  return { cork: () => log.push(`cork ${name}`), uncork: () => log.push(`uncork ${name}`) };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('TickCorker', () => {
  it('corks a connection at its first write of a tick and uncorks every one at the end of the tick', async () => {
    const log: string[] = [];
    const corker = new TickCorker();
    const a = recordingTarget('a', log);
    const b = recordingTarget('b', log);
    corker.hold(a);
    corker.hold(b);
    corker.hold(a);
    expect(log).toEqual(['cork a', 'cork b']);
    await nextTick();
    expect(log).toEqual(['cork a', 'cork b', 'uncork a', 'uncork b']);
  });

  it("says which write is a connection's first of the tick, again after the tick", async () => {
    const corker = new TickCorker();
    const a = recordingTarget('a', []);
    expect([corker.hold(a), corker.hold(a)]).toEqual([true, false]);
    await nextTick();
    expect([corker.hold(a), corker.hold(a)]).toEqual([true, false]);
  });

  it('uncorks every held connection on an early flush (shutdown)', () => {
    const log: string[] = [];
    const corker = new TickCorker();
    const a = recordingTarget('a', log);
    corker.hold(a);
    corker.flush();
    expect(log).toEqual(['cork a', 'uncork a']);
    expect(corker.hold(a)).toBe(true);
  });
});
