import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/run-cli.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runCli', () => {
  it('prints an invalid configuration as invalid_config naming the option, and exits 1', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['serve', '--port', 'eighty'])).toBe(1);
    expect(written.join('')).toMatch(/^herald serve: invalid_config: invalid configuration: --port \/ HERALD_PORT /);
  });
});

describe('--help after a command', () => {
  it.each(['serve', 'start', 'publish', 'tail', 'watch'])(
    'prints the usage and exits 0 for herald %s --help (review finding: an unknown option)',
    async (command) => {
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      expect(await runCli([command, '--help'])).toBe(0);
      expect(written.join('')).toMatch(new RegExp(`usage: herald <command>[\\s\\S]*\\n  ${command} `));
    },
  );
});

describe('herald with no command', () => {
  it.each([[[]], [['--help']], [['help']], [['-h']]])(
    'prints the usage on stdout and exits 0 when asked: herald %j (review finding: it went to stderr)',
    async (argv) => {
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      expect(await runCli(argv)).toBe(0);
      expect(written.join('')).toMatch(/^usage: herald <command>/);
    },
  );

  it('prints the usage on stderr and exits 2 for an unknown command', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['tial'])).toBe(2);
    expect(written.join('')).toMatch(/^usage: herald <command>/);
  });
});

describe('herald watch', () => {
  it.each(['0', 'abc', '1.5', String(2 ** 31)])(
    'refuses --interval-ms %s with its usage instead of polling in a loop',
    async (interval) => {
      const written: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      expect(await runCli(['watch', 'run:1', 'http://127.0.0.1:1/', '--interval-ms', interval])).toBe(2);
      expect(written.join('')).toMatch(
        /herald watch: --interval-ms must be a whole number of ms[\s\S]*usage: herald watch/,
      );
    },
  );

  it.each(['0', 'abc', '1.5', String(2 ** 31)])('refuses --timeout-ms %s with its usage', async (timeout) => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['watch', 'run:1', 'http://127.0.0.1:1/', '--timeout-ms', timeout])).toBe(2);
    expect(written.join('')).toMatch(/usage: herald watch .*--timeout-ms N/);
  });

  it.each(['0', 'abc', '1.5', String(2 ** 53)])('refuses --max-body-bytes %s with its usage', async (maxBytes) => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runCli(['watch', 'run:1', 'http://127.0.0.1:1/', '--max-body-bytes', maxBytes])).toBe(2);
    expect(written.join('')).toMatch(/usage: herald watch .*--max-body-bytes N/);
  });

  it.each([
    [['bad stream', 'http://127.0.0.1:1/'], /the stream must match/],
    [['run:1', 'http://127.0.0.1:1/', '--type', 'bad type'], /--type must match/],
  ])(
    'refuses %j at start naming the mistake (review finding: it failed every poll, for ever)',
    async (argv, message) => {
      const written: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      expect(await runCli(['watch', ...argv, '--url', 'http://127.0.0.1:1'])).toBe(2);
      expect(written.join('')).toMatch(message);
    },
  );

  it.each(['not a url', 'example.com/state.json', 'file:///etc/passwd', 'ftp://example.com/state.json', 'http://', ''])(
    'refuses the source URL %j at start with a clear message and the usage exit code',
    async (sourceUrl) => {
      const written: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      expect(await runCli(['watch', 'run:1', sourceUrl, '--url', 'http://127.0.0.1:1'])).toBe(2);
      expect(written.join('')).toContain(
        `herald watch: the source URL must be an absolute http:// or https:// URL, got ${JSON.stringify(sourceUrl)}`,
      );
      expect(written.join('')).toMatch(/usage: herald watch/);
    },
  );
});
