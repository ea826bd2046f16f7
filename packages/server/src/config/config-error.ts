import { HeraldError } from '@herald/protocol';

/** The startup error that names an option, and the integer check most options share. */

/** The environment variable of a flag: `--data-dir` → `HERALD_DATA_DIR`. */
export function envName(flag: string): string {
  return `HERALD_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** Throws the startup error that names `option` (its flag and env var). */
export function configError(option: string, message: string): never {
  throw new HeraldError('invalid_config', `invalid configuration: --${option} / ${envName(option)} ${message}`, {
    details: { option },
  });
}

/** Parses an integer option's text; `invalid_config` unless it is a whole number in min..max. */
export function parseInteger(option: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(raw.trim())) configError(option, `must be an integer in ${min}..${max}, got "${raw}"`);
  return checkInteger(option, Number(raw), min, max);
}

/** `invalid_config` unless `value` is a safe integer in min..max. */
export function checkInteger(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    configError(option, `must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}
