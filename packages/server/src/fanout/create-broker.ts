import { HeraldError } from '@herald/protocol';
import type { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';
import { createRedisBroker, type RedisBrokerOptions } from './redis-broker.js';

/** Opens the Broker a broker setting names: `local` (in-process) or `redis://…` / `rediss://…`. */
export async function createBroker(brokerUrl: string, options: RedisBrokerOptions = {}): Promise<Broker> {
  if (brokerUrl === 'local') return new MemoryBroker();
  if (brokerUrl.startsWith('redis://') || brokerUrl.startsWith('rediss://'))
    return createRedisBroker(brokerUrl, options);
  throw new HeraldError('invalid_config', 'unsupported broker; use local or redis://…', {
    // A broker URL may carry a password; details reach logs.
    details: { broker: brokerUrl.replace(/\/\/[^@/]*@/, '//***@') },
  });
}
