import type { EventInput } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorkflowSimulator } from '../../src/demo/workflow-simulator.js';

describe('createWorkflowSimulator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function recorder() {
    const published: { stream: string; event: EventInput }[] = [];
    const publish = vi.fn(async (stream: string, event: EventInput) => {
      published.push({ stream, event });
    });
    return { published, publish };
  }

  it('publishes one event per interval while running', async () => {
    const { published, publish } = recorder();
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 10 });
    simulator.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toHaveLength(10);
    await simulator.stop();
  });

  it('publishes nothing after stop()', async () => {
    const { published, publish } = recorder();
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 10 });
    simulator.start();
    await vi.advanceTimersByTimeAsync(500);
    await simulator.stop();
    const count = published.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(published).toHaveLength(count);
  });

  it('waits for the publish in flight when stopping', async () => {
    let release: () => void = () => {};
    // The first publish waits to be released; the ones that close the open runs on stop do not.
    const publish = vi.fn(async () => {});
    publish.mockImplementationOnce(() => new Promise<void>((resolve) => (release = resolve)));
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 10 });
    simulator.start();
    await vi.advanceTimersByTimeAsync(100);
    let isStopped = false;
    const stopping = simulator.stop().then(() => (isStopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(isStopped).toBe(false);
    release();
    await stopping;
    expect(isStopped).toBe(true);
  });

  it('closes every run and batch it opened when stopped, so none is left running after a restart (review finding)', async () => {
    const { published, publish } = recorder();
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 10 });
    simulator.start();
    await vi.advanceTimersByTimeAsync(3000);
    await simulator.stop();
    const byStream = new Map<string, typeof published>();
    for (const entry of published) byStream.set(entry.stream, [...(byStream.get(entry.stream) ?? []), entry]);
    expect(byStream.size).toBeGreaterThan(2);
    for (const [stream, events] of byStream) {
      const finals = events.filter(({ event }) => event.final);
      expect({ stream, finals: finals.length, isLastFinal: events.at(-1)?.event.final }).toEqual({
        stream,
        finals: 1,
        isLastFinal: true,
      });
    }
    const stopped = published.filter(({ event }) => event.id?.endsWith('#stopped'));
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every(({ event }) => (event.state as { status: string }).status === 'failed')).toBe(true);
  });

  it('keeps going after a failed publish and reports it', async () => {
    const onError = vi.fn();
    const publish = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(undefined);
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 10, onError });
    simulator.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(publish).toHaveBeenCalledTimes(3);
    await simulator.stop();
    expect(onError).toHaveBeenCalledWith(new Error('down'), expect.objectContaining({ stream: expect.any(String) }));
  });

  it('starts batches of runs with batch_started before the batch’s first job event', async () => {
    const { published, publish } = recorder();
    const simulator = createWorkflowSimulator({ publish, eventsPerSecond: 20, concurrentBatches: 1 });
    simulator.start();
    await vi.advanceTimersByTimeAsync(1000);
    await simulator.stop();
    expect(published[0]?.stream).toMatch(/^batch:/);
    expect(published[0]?.event.type).toBe('batch_started');
    expect(published[1]?.stream).toMatch(/^run:/);
    expect(published[1]?.event.type).toBe('job_started');
  });
});
