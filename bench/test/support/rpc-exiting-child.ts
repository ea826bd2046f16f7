import { serveRpc } from '../../src/ipc.js';

// A child that serves one method, `exit`, which ends the process before it can answer.
serveRpc({
  exit: () => process.exit(3),
});
