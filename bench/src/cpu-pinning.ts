import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Where a scenario's processes run. The issue measures the tail at saturation with the server on
 * one core and its load elsewhere: unpinned on a shared machine the scheduler spreads the server
 * over every core and the client processes steal its time, so the tail measures the machine.
 */
export type CpuPinning =
  | { isPinned: true; serverCpus: string; clientCpus: string }
  | { isPinned: false; reason: string };

/**
 * The pinning for a machine: the server on CPU 0, the client processes on the others. Unavailable
 * without `taskset` or with a single CPU, where there is no other core to move the clients to.
 */
export function planPinning(cpuCount: number, hasTaskset: boolean): CpuPinning {
  if (!hasTaskset) return { isPinned: false, reason: 'taskset not found' };
  if (cpuCount < 2) return { isPinned: false, reason: 'only one CPU' };
  return { isPinned: true, serverCpus: '0', clientCpus: cpuCount === 2 ? '1' : `1-${cpuCount - 1}` };
}

/** Whether util-linux's `taskset` can be run here. */
export function isTasksetAvailable(): boolean {
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** The pinning of this machine (see planPinning). */
export function machinePinning(): CpuPinning {
  return planPinning(availableParallelism(), isTasksetAvailable());
}

/** `taskset` arguments that move every thread of a running process `pid` onto `cpus`. */
export function tasksetArgs(pid: number, cpus: string): string[] {
  // -a: all threads (libuv's pool, V8's helpers) as well as the main one.
  return ['-a', '-p', '-c', cpus, String(pid)];
}

/** Pins every thread of process `pid` to `cpus` (a taskset CPU list such as `0` or `1-3`). */
export function pinProcess(pid: number, cpus: string): void {
  const result = spawnSync('taskset', tasksetArgs(pid, cpus), { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.error || result.status !== 0) {
    throw new Error(`taskset could not pin process ${pid} to CPUs ${cpus}: ${result.error ?? result.stderr}`);
  }
}

/** How a table shows where the server ran. */
export function describePinning(pinning: CpuPinning | undefined): string {
  if (!pinning) return 'not pinned';
  return pinning.isPinned ? `CPU ${pinning.serverCpus}` : `not pinned (${pinning.reason})`;
}
