import { readFile } from 'node:fs/promises';
import { HeraldError } from '@herald/protocol';
import jsonata from 'jsonata';
import type { WebhookAuth } from './webhook-signature.js';

/**
 * The generic webhook mapping file (`HERALD_INGEST_CONFIG`, README "Any JSON webhook"):
 *
 *   {"sources": {"<name>": {
 *     "auth": {"type": "hmac-sha256", "header": "X-Signature", "prefix"?: "sha256=", "secret"|"secretEnv"}
 *           | {"type": "token", "header": "X-Gitlab-Token", "secret"|"secretEnv"},
 *     "when"?: <JSONata>, "stream": <JSONata>, "type": <JSONata>, "id"?: <JSONata>,
 *     "state"?: <JSONata>, "data"?: <JSONata>, "tags"?: <JSONata>, "final"?: <JSONata>}}}
 *
 * Each source is served at `POST /v1/ingest/<name>`. Expressions see the JSON body as their input
 * and the request headers (lower-case names) as `$headers`.
 */
export const MAPPING_FIELDS = ['when', 'stream', 'type', 'id', 'state', 'data', 'tags', 'final'] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];

const REQUIRED_FIELDS: readonly MappingField[] = ['stream', 'type'];
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// `github` is the built-in route at the same path.
const RESERVED_SOURCES = new Set(['github']);
const SOURCE_KEYS = new Set(['auth', ...MAPPING_FIELDS]);

/** One configured webhook source, its expressions compiled. */
export interface MappedSource {
  name: string;
  auth: WebhookAuth;
  expressions: Partial<Record<MappingField, jsonata.Expression>>;
}

function configError(file: string, path: string, message: string): never {
  throw new HeraldError('invalid_config', `invalid ingest config ${file}: ${path} ${message}`, {
    details: { option: 'ingest-config', path },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readSecret(file: string, path: string, auth: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const fromEnv = typeof auth.secretEnv === 'string' ? env[auth.secretEnv] : undefined;
  const secret = typeof auth.secret === 'string' ? auth.secret : fromEnv;
  if (secret === undefined || secret === '') {
    const where = typeof auth.secretEnv === 'string' ? `(environment variable ${auth.secretEnv} is not set)` : '';
    configError(file, `${path}.secret`, `or secretEnv must give a non-empty secret ${where}`.trim());
  }
  return secret;
}

function parseAuth(file: string, path: string, value: unknown, env: NodeJS.ProcessEnv): WebhookAuth {
  if (!isObject(value)) return configError(file, path, 'must be an object');
  const header = value.header;
  if (typeof header !== 'string' || header === '') configError(file, `${path}.header`, 'must name a header');
  if (header.toLowerCase() === 'authorization') {
    configError(file, `${path}.header`, 'may not be Authorization: Herald reads it as its own API key or JWT');
  }
  const secret = readSecret(file, path, value, env);
  if (value.type === 'token') return { kind: 'token', header: header.toLowerCase(), secret };
  if (value.type === 'hmac-sha256') {
    const prefix = value.prefix ?? '';
    if (typeof prefix !== 'string') configError(file, `${path}.prefix`, 'must be a string');
    return { kind: 'hmac-sha256', header: header.toLowerCase(), prefix, secret };
  }
  return configError(file, `${path}.type`, 'must be "hmac-sha256" or "token"');
}

/**
 * Bounds on one evaluation of a mapping expression (JSONata's `timeout` and `stack` options).
 * JSONata evaluates on the event loop, so an expression that does not finish (unbounded
 * recursion, a range of millions) would stall every connection of the server; within these bounds
 * it fails instead, and the delivery is answered 400 naming the field. JSONata's `stack` counts
 * the evaluations in progress at once, not only nested ones: a map over a payload's array starts
 * one per item (about 4 per job in the GitLab mapping, whose 1,000-job pipeline takes about 30
 * ms), so the bound is sized for payloads, while the timeout stops what never finishes.
 */
const EVALUATION_LIMITS = { timeout: 100, stack: 10_000 };

function compile(file: string, path: string, value: unknown): jsonata.Expression {
  if (typeof value !== 'string') return configError(file, path, 'must be a JSONata expression (a string)');
  try {
    return jsonata(value, EVALUATION_LIMITS);
  } catch (error) {
    return configError(file, path, `is not valid JSONata: ${(error as Error).message}`);
  }
}

function parseSource(file: string, name: string, value: unknown, env: NodeJS.ProcessEnv): MappedSource {
  const path = `sources.${name}`;
  if (!SOURCE_NAME.test(name) || RESERVED_SOURCES.has(name)) {
    configError(file, path, 'must be a lower-case name of letters, digits, _ and - (and not "github")');
  }
  if (!isObject(value)) return configError(file, path, 'must be an object');
  for (const key of Object.keys(value))
    if (!SOURCE_KEYS.has(key)) configError(file, `${path}.${key}`, 'is not a known field');
  for (const field of REQUIRED_FIELDS)
    if (value[field] === undefined) configError(file, `${path}.${field}`, 'is required');
  const expressions: MappedSource['expressions'] = {};
  for (const field of MAPPING_FIELDS) {
    if (value[field] !== undefined) expressions[field] = compile(file, `${path}.${field}`, value[field]);
  }
  return { name, auth: parseAuth(file, `${path}.auth`, value.auth, env), expressions };
}

/** Parses an ingest config document; throws `invalid_config` naming the file and the bad field. */
export function parseIngestConfig(
  document: unknown,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): MappedSource[] {
  if (!isObject(document) || !isObject(document.sources)) return configError(file, 'sources', 'must be an object');
  return Object.entries(document.sources).map(([name, source]) => parseSource(file, name, source, env));
}

/** Reads and parses the ingest config file at `file` (at startup: a bad file stops the server). */
export async function loadIngestConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<MappedSource[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return configError(file, '', `cannot be read: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return configError(file, '', `is not valid JSON: ${(error as Error).message}`);
  }
  return parseIngestConfig(document, file, env);
}
