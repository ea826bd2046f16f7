import { createHerald } from '@herald/server';
import { describe, expect, it } from 'vitest';

/** The warnings a server logs as it starts, with the key and host it is given. */
async function startupWarnings(apiKey: string | undefined, host = '127.0.0.1'): Promise<string[]> {
  const lines: { level: number; msg: string }[] = [];
  const herald = await createHerald(
    { host, port: 0, store: 'memory:', ...(apiKey === undefined ? {} : { apiKey }) },
    { logStream: { write: (line: string) => lines.push(JSON.parse(line)) } },
  );
  await herald.close();
  return lines.filter((line) => line.level === 40).map((line) => line.msg);
}

describe('startup warnings', () => {
  it('warns that a short API key can be guessed (review finding: a one-character key started silently)', async () => {
    expect(await startupWarnings('x')).toEqual([
      expect.stringMatching(/^the API key has 1 characters: use 16 or more/),
    ]);
    expect(await startupWarnings('0123456789abcdef')).toEqual([]);
  });

  it('warns that a server without any credential, reachable from other machines, is open to all (review finding)', async () => {
    expect(await startupWarnings(undefined, '0.0.0.0')).toEqual([
      expect.stringMatching(/^no API key and no JWT setting while listening on 0\.0\.0\.0: anyone/),
    ]);
    expect(await startupWarnings(undefined, '127.0.0.1')).toEqual([]);
    expect(await startupWarnings(undefined, 'localhost')).toEqual([]);
    expect(await startupWarnings('0123456789abcdef', '0.0.0.0')).toEqual([]);
  });
});
