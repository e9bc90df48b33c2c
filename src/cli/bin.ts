#!/usr/bin/env node
/** Executable wrapper: runs the CLI and sets the exit code; an unexpected error is one line (trace in a file). */
import { main } from './main.js';
import { crashLine } from './crash.js';

// The SDK warns on Node 20 about its releases of 2027; the pinned SDK supports Node 20, so a user can do nothing about it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const argv = process.argv.slice(2);
// An error event nothing listens to (a stream, a socket) ends the run the same way: one line, the trace in a file.
process.on('uncaughtException', (err) => {
  process.stderr.write(crashLine(err, argv) + '\n');
  process.exit(1);
});
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(crashLine(err, argv) + '\n');
    process.exitCode = 1;
  },
);
