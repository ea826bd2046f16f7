import { createHerald } from './server.js';

/**
 * The OpenAPI document of a stand-alone server with GitHub ingest on and no mapping file, as
 * `GET /v1/openapi.json` serves it: docs/openapi.json is this, and a test keeps the two equal.
 * Built in memory without listening; the webhook secret given here is a placeholder the document
 * never contains.
 */
export async function createOpenApiDocument(): Promise<object> {
  const herald = await createHerald({ store: 'memory:', logLevel: 'silent', githubWebhookSecret: 'placeholder' });
  try {
    await herald.app.ready();
    return herald.app.swagger();
  } finally {
    await herald.close();
  }
}
