import type { HeraldError } from '@herald/protocol';
import type { Position } from '../../src/http-api.js';
import type { TransportContext, TransportFrame, TransportListener } from '../../src/transports/transport.js';
import type { FakeHerald } from './fake-herald.js';
import { FakeWebSocket } from './fake-websocket.js';
import { fakeHttp } from './harness.js';

/**
 * A transport context over a FakeHerald and FakeWebSocket, and a listener recording every report;
 * like a subscription, it advances a stream's position past every event it is handed.
 */
export function transportHarness(server: FakeHerald, streams: string[], positions: Record<string, Position> = {}) {
  const reports = { opens: 0, frames: [] as TransportFrame[], errors: [] as HeraldError[], polls: 0 };
  const context: TransportContext = {
    url: 'http://herald.test',
    http: fakeHttp(server),
    WebSocket: FakeWebSocket,
    token: async () => 'secret',
    streams: () => streams,
    position: (stream) => positions[stream] ?? { after: 0, epoch: null },
    wantsPresence: () => false,
    label: undefined,
    pollIntervalMs: 1000,
    countPoll: () => {
      reports.polls += 1;
    },
  };
  const listener: TransportListener = {
    onOpen: () => {
      reports.opens += 1;
    },
    onFrame: (frame) => {
      reports.frames.push(frame);
      if (frame.op === 'page') positions[frame.stream] = { after: frame.page.seq, epoch: frame.page.epoch };
    },
    onError: (error) => reports.errors.push(error),
  };
  return { context, listener, reports };
}
