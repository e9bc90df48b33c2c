// Runs the built CLI (`node test/hostile/rss.mjs <cli args>`) and, at exit, writes the process's peak resident
// memory (worker threads included: they share the process) to the file named by OCSF_LAKE_RSS_FILE, in KiB.
import { writeFileSync } from 'node:fs';

const out = process.env.OCSF_LAKE_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
await import(new URL('../../dist/cli/bin.js', import.meta.url).href);
