#!/usr/bin/env node
// The `hashdock` command. The runtime check comes first, before any dependency
// loads: an old Node fails with one line instead of a stack trace.
import { nodeVersionProblem } from '../runtime';

const problem = nodeVersionProblem();
if (problem) {
  console.error(`hashdock: ${problem}`);
  process.exit(1);
}
(require('./run-cli') as typeof import('./run-cli')).runCli(process.argv.slice(2));
