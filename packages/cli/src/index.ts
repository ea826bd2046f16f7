export { type Command, runCli } from './run-cli.js';
export { createStatePatch } from './state-patch.js';
