import { isHeraldError } from '@herald/protocol';
import { publish } from './commands/publish.js';

/** One CLI command: receives the arguments after its name, resolves the process exit code. */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  // Loaded on demand: the server and its drivers take a while to import, and the client commands never need them.
  serve: async (argv) => (await import('./commands/serve.js')).serve(argv),
  // What `npm start` runs: a newcomer sees live runs, and HERALD_DEMO=false or --no-demo still turn them off.
  start: async (argv) => (await import('./commands/serve.js')).serve(argv, { demoByDefault: true }),
  publish,
  // Loaded on demand: only `tail` needs the client SDK and `ws`.
  tail: async (argv) => (await import('./commands/tail.js')).tail(argv),
  // Loaded on demand too: it runs the server package's watcher.
  watch: async (argv) => (await import('./commands/watch.js')).watch(argv),
};

const USAGE = `usage: herald <command> [options]

  serve                                   run the server (flags and HERALD_* env vars: see README)
  start                                   serve with the demo simulator on unless --no-demo/HERALD_DEMO=false
  publish <stream> <type> [--data JSON] [--state JSON] [--tags JSON] [--id ID] [--final]
  tail <stream> [--after N] [--pretty|--json]
                                          print a stream's events live until it is final: aligned,
                                          coloured lines on a terminal, JSON lines otherwise
  watch <stream> <url> [--interval-ms N]  poll a JSON endpoint, publish a state patch on change

  publish, tail and watch talk to --url (HERALD_URL, default http://127.0.0.1:8700) with
  --token (HERALD_TOKEN, else HERALD_API_KEY).`;

/** Runs the `herald` command line; resolves the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    // Asked for, the usage is the answer (stdout, 0); after a mistake it is the complaint (stderr, 2).
    const isAsked = name === undefined || name === 'help' || name === '--help' || name === '-h';
    (isAsked ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return isAsked ? 0 : 2;
  }
  // `herald tail --help` asks for help, not for a stream named by an unknown option.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await command(rest);
  } catch (error) {
    const message = isHeraldError(error)
      ? `${error.code}: ${error.message}`
      : String((error as Error)?.message ?? error);
    process.stderr.write(`herald ${name}: ${message}\n`);
    return 1;
  }
}
