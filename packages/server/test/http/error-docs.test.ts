import { readFileSync } from 'node:fs';
import { CLOSE_CODES, ERROR_TABLE, type ErrorCode } from '@herald/protocol';
import { describe, expect, it } from 'vitest';

const ERRORS_DOC = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
const PROTOCOL_DOC = readFileSync(new URL('../../../../docs/protocol.md', import.meta.url), 'utf8');

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

describe('docs/protocol.md', () => {
  it('documents every close code in its close-code table, and no other', () => {
    const table = PROTOCOL_DOC.split('### Close codes')[1]!.split('\n### ')[0]!;
    const documented = [...table.matchAll(/^\| (\d{4}) \|/gm)].map((match) => Number(match[1]));
    const closeCodes = new Set<number>(Object.values(CLOSE_CODES));
    for (const code of Object.keys(ERROR_TABLE) as ErrorCode[]) closeCodes.add(ERROR_TABLE[code].closeCode);
    expect(documented.sort()).toEqual([...closeCodes].sort());
  });
});
