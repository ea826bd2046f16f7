import { readFileSync } from 'node:fs';
import { ERROR_TABLE, type ErrorCode } from '@herald/protocol';
import { describe, expect, it } from 'vitest';

const ERRORS_DOC = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

/** The documented rows: code → [status, close code, retryable]. */
function documentedRows(): Map<string, [number, number, boolean]> {
  const rows = new Map<string, [number, number, boolean]>();
  for (const match of ERRORS_DOC.matchAll(/^\| `([a-z_]+)` \| (\d+) \| (\d+) \| (yes|no) \|/gm)) {
    rows.set(match[1]!, [Number(match[2]), Number(match[3]), match[4] === 'yes']);
  }
  return rows;
}

describe('docs/errors.md', () => {
  it('documents every error code with its status, close code and retryability', () => {
    const rows = documentedRows();
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      expect(rows.get(code), code).toEqual([entry.status, entry.closeCode, entry.retryable]);
    }
  });

  it('documents no code the table does not have', () => {
    const codes = Object.keys(ERROR_TABLE) as ErrorCode[];
    expect([...documentedRows().keys()].sort()).toEqual([...codes].sort());
  });
});
