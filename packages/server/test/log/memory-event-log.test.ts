import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { describeEventLogContract } from '../support/event-log-contract.js';

describeEventLogContract('MemoryEventLog', async () => ({ log: new MemoryEventLog(), cleanup: async () => {} }), {
  isVolatile: true,
});
