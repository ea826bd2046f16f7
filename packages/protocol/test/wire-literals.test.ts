import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEADERS, QUERY_PARAMS } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Files still holding raw wire literals, being migrated by the live-layer change (issue 14 item 1,
 * which owns these files). Temporary: the integrator empties this list after merging that change.
 */
const BEING_MIGRATED = new Set<string>();

const NAMES = [...Object.values(QUERY_PARAMS), ...Object.values(HEADERS)].map(escapeRegExp).join('|');
const QUOTED_NAME = `['"\`](?:${NAMES})['"\`]`;

/** What a raw wire literal looks like in code (comments are blanked out first). */
const WIRE_LITERALS: { what: string; pattern: RegExp }[] = [
  { what: 'a /v1 path', pattern: /['"`]\/v1(?:[/?'"`]|$)/ },
  { what: 'a /v1 path in a regular expression', pattern: /\\\/v1\\\// },
  { what: 'a query parameter in a regular expression', pattern: new RegExp(`\\[\\?&\\](?:${NAMES})=`) },
  { what: 'a /healthz, /readyz or /metrics path', pattern: /['"`]\/(?:healthz|readyz|metrics)['"`?]/ },
  { what: 'a query string naming a parameter', pattern: new RegExp(`[?&](?:${NAMES})=`) },
  {
    what: 'a quoted query or header name read or written',
    pattern: new RegExp(
      `\\.(?:get|getAll|set|append|has|delete|header|getHeader|setHeader|removeHeader)\\(\\s*${QUOTED_NAME}`,
      'i',
    ),
  },
  { what: 'a quoted query or header name indexing a record', pattern: new RegExp(`\\[\\s*${QUOTED_NAME}\\s*\\]`, 'i') },
  {
    what: 'a quoted query name passed to a query reader',
    pattern: new RegExp(`\\(\\s*(?:[\\w$]+\\.)*query\\s*,\\s*${QUOTED_NAME}`),
  },
  { what: 'a quoted Herald header name', pattern: /['"`](?:last-event-id|if-none-match|retry-after)['"`]/i },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `source` with every comment replaced by spaces, line breaks kept, so line numbers still hold. */
function blankComments(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (quote !== undefined) {
      out += char;
      if (char === '\\') out += source[++i] ?? '';
      else if (char === quote) quote = undefined;
    } else if (char === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (char === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else {
      if (char === "'" || char === '"' || char === '`') quote = char;
      out += char;
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

/** `file:line: what` for every raw wire literal in the src/ of every package under `root` but protocol. */
function findWireLiterals(root: string, allowed: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const packages = readdirSync(join(root, 'packages')).filter((name) => name !== 'protocol');
  for (const pkg of packages) {
    let files: string[];
    try {
      files = sourceFiles(join(root, 'packages', pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const name = relative(root, file);
      if (allowed.has(name)) continue;
      blankComments(readFileSync(file, 'utf8'))
        .split('\n')
        .forEach((line, index) => {
          for (const { what, pattern } of WIRE_LITERALS)
            if (pattern.test(line)) found.push(`${name}:${index + 1}: ${what}`);
        });
    }
  }
  return found;
}

describe('the wire vocabulary', () => {
  it('appears as a raw literal nowhere outside packages/protocol: paths, query and header names come from api-paths', () => {
    expect(findWireLiterals(ROOT, BEING_MIGRATED)).toEqual([]);
  });

  it('names the file and line of a raw literal, and skips only the files it is told to', () => {
    const root = mkdtempSync(join(tmpdir(), 'wire-literals-'));
    try {
      for (const pkg of ['client', 'server', 'protocol'])
        mkdirSync(join(root, 'packages', pkg, 'src'), { recursive: true });
      writeFileSync(join(root, 'packages/client/src/a.ts'), "// fetch('/v1/streams')\nfetch('/v1/streams');\n");
      writeFileSync(join(root, 'packages/server/src/b.ts'), "reply.header('etag', tag);\n");
      writeFileSync(join(root, 'packages/server/src/c.ts'), "app.get('/v1/sse', handler);\n");
      writeFileSync(join(root, 'packages/protocol/src/d.ts'), "export const path = '/v1/ws';\n");
      expect(findWireLiterals(root, new Set(['packages/server/src/c.ts']))).toEqual([
        'packages/client/src/a.ts:2: a /v1 path',
        'packages/server/src/b.ts:1: a quoted query or header name read or written',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('recognises the raw literals it guards against', () => {
    const samples = [
      "fetch('/v1/streams')",
      'const path = `/v1/streams/x/events?after=0`;',
      "params.set('epoch', epoch)",
      "request.headers['last-event-id']",
      "readInteger(query, 'wait', 0)",
      "reply.header('retry-after', 1)",
    ];
    for (const sample of samples)
      expect(
        WIRE_LITERALS.some(({ pattern }) => pattern.test(sample)),
        sample,
      ).toBe(true);
    expect(WIRE_LITERALS.some(({ pattern }) => pattern.test(String.raw`const shape = /^\/v1\/streams$/;`))).toBe(true);
    expect(WIRE_LITERALS.some(({ pattern }) => pattern.test("url.replace(/([?&]token=)[^&#]*/g, '')"))).toBe(true);
    expect(blankComments("// '/v1/ws'\nconst a = '//not a comment';").split('\n')[1]).toBe(
      "const a = '//not a comment';",
    );
  });

  it('lists only files that exist among those being migrated', () => {
    for (const name of BEING_MIGRATED) expect(() => readFileSync(join(ROOT, name)), name).not.toThrow();
  });
});
