import { createHerald } from '@herald/server';
import { describe, expect, it } from 'vitest';

/** The warnings a server logs as it starts, with the key it is given. */
async function startupWarnings(apiKey: string): Promise<string[]> {
  const lines: { level: number; msg: string }[] = [];
  const herald = await createHerald(
    { host: '127.0.0.1', port: 0, store: 'memory:', apiKey },
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
});
