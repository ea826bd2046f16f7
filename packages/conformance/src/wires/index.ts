import { etagPollWire } from './etag-poll-wire.js';
import { longPollWire } from './long-poll-wire.js';
import { sseWire } from './sse-wire.js';
import { webSocketWire } from './websocket-wire.js';
import type { Wire } from './wire.js';

export type { ResetNotice, StartPosition, Wire, WireName } from './wire.js';
export { WireSubscriber } from './wire.js';

/** The four wires, best first: the matrix of the suite (`describe.each(WIRES)`). */
export const WIRES: readonly Wire[] = [webSocketWire, sseWire, longPollWire, etagPollWire];
