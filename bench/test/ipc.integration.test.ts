import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forkRpc } from '../src/ipc.js';

const EXITING_CHILD = fileURLToPath(new URL('./support/rpc-exiting-child.ts', import.meta.url));

describe('forkRpc', () => {
  // Found when a server process died during a scenario: the harness crashed on an unhandled
  // ERR_IPC_CHANNEL_CLOSED instead of reporting the scenario as not measured.
  it('rejects a call to a child that has exited, rather than crashing the harness', async () => {
    const child = await forkRpc(EXITING_CHILD);

    await expect(child.call('exit')).rejects.toThrow('child exited (3)');
    await expect(child.call('exit')).rejects.toThrow('the child has exited');
  });
});
