export { type Command, runCli } from './run-cli.js';
