#!/usr/bin/env node
/** Executable wrapper: runs the CLI and sets the exit code. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ocsf-lake: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
