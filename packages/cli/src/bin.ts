#!/usr/bin/env node
import { runCli } from './run-cli.js';

// Exit explicitly: a lingering handle (an idle keep-alive socket, say) must not keep a finished command alive.
process.exit(await runCli(process.argv.slice(2)));
