import { startPublishRoute } from './http-publish-route.js';
import type { Target } from './target.js';

/**
 * A bare Fastify route on Herald's publish path answering 201 (body parsed, nothing stored or sent):
 * the framework's own ceiling for the HTTP publish comparison. It has no subscribers.
 */
export const fastifyBareTarget: Target = {
  name: 'fastify-bare',
  transport: 'websocket',
  hasHistory: false,
  async startServer() {
    const app = await startPublishRoute();
    return {
      url: app.url,
      publish() {
        throw new Error('fastify-bare publishes only through HTTP');
      },
      close: () => app.close(),
    };
  },
  subscribe() {
    return Promise.reject(new Error('fastify-bare has no subscribers'));
  },
};
