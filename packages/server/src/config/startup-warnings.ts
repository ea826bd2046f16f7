import { isIP } from 'node:net';
import { MIN_SAFE_API_KEY_LENGTH } from './access-options.js';
import type { HeraldConfig } from './config.js';

/** Whether `host` only takes connections from this machine. */
function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * What a server started with `config` should warn its operator about: settings that work, and that
 * refusing would stop running deployments, but that are almost always a mistake.
 */
export function startupWarnings(config: HeraldConfig): string[] {
  const warnings: string[] = [];
  const { apiKey, jwt, host } = config;
  if (apiKey !== undefined && apiKey.length < MIN_SAFE_API_KEY_LENGTH) {
    warnings.push(
      `the API key has ${apiKey.length} characters: use ${MIN_SAFE_API_KEY_LENGTH} or more (e.g. openssl rand -hex 32), a short one can be guessed`,
    );
  }
  const hasAuth = apiKey !== undefined || jwt.secret !== undefined || jwt.jwksUrl !== undefined;
  if (!hasAuth && !isLoopbackHost(host)) {
    warnings.push(
      `no API key and no JWT setting while listening on ${host}: anyone who can reach it may publish, read and delete every stream (set HERALD_API_KEY)`,
    );
  }
  return warnings;
}
