import { describe, expect, it } from 'vitest';
import { TickCorker } from '../../src/transports/tick-corker.js';

/** A socket stand-in that records its corks and uncorks in order. */
function recordingSocket(name: string, log: string[]) {
  return { cork: () => log.push(`cork ${name}`), uncork: () => log.push(`uncork ${name}`) };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('TickCorker', () => {
  it("lets a socket's only write of a tick go out uncorked", async () => {
    const log: string[] = [];
    const corker = new TickCorker();
    corker.hold(recordingSocket('a', log));
    await nextTick();
    expect(log).toEqual([]);
  });

  it('corks a socket from its second write of a tick and uncorks it at the end of the tick', async () => {
    const log: string[] = [];
    const corker = new TickCorker();
    const a = recordingSocket('a', log);
    const b = recordingSocket('b', log);
    corker.hold(a);
    corker.hold(b);
    corker.hold(a);
    corker.hold(a);
    expect(log).toEqual(['cork a']);
    await nextTick();
    expect(log).toEqual(['cork a', 'uncork a']);
  });

  it("says which write is a socket's first of the tick, again after the tick", async () => {
    const corker = new TickCorker();
    const a = recordingSocket('a', []);
    expect([corker.hold(a), corker.hold(a)]).toEqual([true, false]);
    await nextTick();
    expect([corker.hold(a), corker.hold(a)]).toEqual([true, false]);
  });

  it('uncorks every held socket on an early flush (shutdown)', () => {
    const log: string[] = [];
    const corker = new TickCorker();
    const a = recordingSocket('a', log);
    corker.hold(a);
    corker.hold(a);
    corker.flush();
    expect(log).toEqual(['cork a', 'uncork a']);
    expect(corker.hold(a)).toBe(true);
  });
});
