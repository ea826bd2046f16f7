import { parseArgs } from 'node:util';
import { type JsonValue, streamEventsPath } from '@herald/protocol';
import { CONNECTION_OPTIONS, parseJsonFlag, requestJson, resolveConnection } from '../server-connection.js';

/** `herald publish <stream> <type> [--data JSON] [--state JSON] [--tags JSON] [--id ID] [--final]`. */
export async function publish(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      data: { type: 'string' },
      state: { type: 'string' },
      tags: { type: 'string' },
      id: { type: 'string' },
      final: { type: 'boolean' },
    },
  });
  const [stream, type] = positionals;
  if (stream === undefined || type === undefined || positionals.length > 2) {
    process.stderr.write('usage: herald publish <stream> <type> [--data JSON] [--state JSON] [--final]\n');
    return 2;
  }
  const event: Record<string, JsonValue> = { type };
  if (values.data !== undefined) event.data = parseJsonFlag('data', values.data);
  if (values.state !== undefined) event.state = parseJsonFlag('state', values.state);
  if (values.tags !== undefined) event.tags = parseJsonFlag('tags', values.tags);
  if (values.id !== undefined) event.id = values.id;
  if (values.final) event.final = true;
  const result = await requestJson(resolveConnection(values), 'POST', streamEventsPath(stream), event);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
