#!/usr/bin/env node
/** Executable wrapper: runs the CLI and sets the exit code; an unexpected error is one line (trace in a file). */
import { main } from './main.js';
import { crashLine } from './crash.js';

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(crashLine(err, argv) + '\n');
    process.exitCode = 1;
  },
);
