import type { Target } from './adapters/target.js';

// Loaded lazily: a process imports only the target it runs, and Herald's adapters need its build.
const TARGET_LOADERS: Record<string, () => Promise<Target>> = {
  'herald-ws': async () => (await import('./adapters/herald-ws.js')).heraldWsTarget,
  'herald-sse': async () => (await import('./adapters/herald-sse.js')).heraldSseTarget,
  'herald-longpoll': async () => (await import('./adapters/herald-longpoll.js')).heraldLongPollTarget,
  socketio: async () => (await import('./adapters/socketio.js')).socketIoTarget,
  ws: async () => (await import('./adapters/ws-raw.js')).wsRawTarget,
  'ws-corked': async () => (await import('./adapters/ws-corked.js')).wsCorkedTarget,
  'http-sse': async () => (await import('./adapters/http-sse.js')).httpSseTarget,
  'ws-corked-http': async () => (await import('./adapters/ws-corked-http.js')).wsCorkedHttpTarget,
  'socketio-http': async () => (await import('./adapters/socketio-http.js')).socketIoHttpTarget,
  'fastify-bare': async () => (await import('./adapters/fastify-bare.js')).fastifyBareTarget,
  'fastify-durable': async () => (await import('./adapters/fastify-durable.js')).fastifyDurableTarget,
};

/** Every target name the harness knows. */
export const TARGET_NAMES = Object.keys(TARGET_LOADERS);

/** Loads one target's adapter by name. */
export async function loadTarget(name: string): Promise<Target> {
  const loader = TARGET_LOADERS[name];
  if (!loader) throw new Error(`unknown target ${name} (known: ${TARGET_NAMES.join(', ')})`);
  return loader();
}
