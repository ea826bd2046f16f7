import { createClient, type HeraldClient, type TransportKind } from '@herald/client';
import WebSocket from 'ws';
import { DeliveryRecord } from './delivery-record.js';
import type { SoakOptions } from './soak-options.js';

/** The four transports, each forced on its own clients. */
export const SOAK_TRANSPORTS: readonly TransportKind[] = ['websocket', 'sse', 'longpoll', 'poll'];

/** Subscribers of one transport: their records and one end-to-end latency histogram. */
export interface TransportGroup {
  transport: TransportKind;
  clients: HeraldClient[];
  records: DeliveryRecord[];
  /** End-to-end latency of every delivery, in ms (exact, unbounded: faults make some long). */
  latenciesMs: number[];
}

/** The name of a stream of the soak. */
export function soakStreamName(index: number): string {
  return `soak:${index}`;
}

/**
 * Clients on every transport (forced: `transports: [kind]`, so a blocked transport is not
 * escaped by falling back), all through `url` (the fault proxy). Client `c` of transport `t`
 * subscribes to `streamsPerClient` consecutive streams, so each transport covers every stream
 * evenly.
 */
export function startSubscriberFleet(url: string, options: SoakOptions): TransportGroup[] {
  return SOAK_TRANSPORTS.map((transport, t) => {
    const group: TransportGroup = { transport, clients: [], records: [], latenciesMs: [] };
    for (let c = 0; c < options.clientsPerTransport; c++) {
      const client = createClient({ url, WebSocket, transports: [transport], staleAfterMs: options.staleAfterMs });
      group.clients.push(client);
      for (let j = 0; j < options.streamsPerClient; j++) {
        const stream = soakStreamName(((t + c) * options.streamsPerClient + j) % options.streamCount);
        const name = `${transport}#${c}/${stream}`;
        const dropped = options.dropDelivery?.subscription === name ? options.dropDelivery.seq : undefined;
        const record = new DeliveryRecord(name, stream, group.latenciesMs, dropped);
        client.subscribe(stream, {
          onEvent: (event) => record.onEvent(event, Date.now()),
          onReset: () => record.onReset(),
        });
        group.records.push(record);
      }
    }
    return group;
  });
}

/** Closes every client of the fleet. */
export function closeSubscriberFleet(groups: readonly TransportGroup[]): void {
  for (const group of groups) for (const client of group.clients) client.close();
}
