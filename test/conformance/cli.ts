/**
 * `npm run conformance [-- <filter>] [--verbose]`: per-pair and total scores (matched leaves / reference
 * leaves), extra leaves we emit, and every difference; exit 1 when an unexcused difference remains.
 */
import { loadPairs, runPair, score } from './run.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const filter = args.find((a) => !a.startsWith('-'));
const pairs = (await loadPairs()).filter((p) => !filter || p.id.includes(filter) || p.source.toLowerCase().includes(filter.toLowerCase()));
let ref = 0;
let matched = 0;
let extra = 0;
let excused = 0;
let bad = 0;
console.log('| pair | reference | source@version | score | matched / reference leaves | excused | extra |');
console.log('|---|---|---|---:|---:|---:|---:|');
const details: string[] = [];
for (const p of pairs) {
  const r = await runPair(p);
  ref += r.referenceLeaves;
  matched += r.matched;
  extra += r.extra.length;
  excused += r.excused.length;
  if (r.error || r.problems.length) bad++;
  console.log(`| ${p.id} | ${p.kind} | ${p.source}@${p.sourceVersion} | ${score(r.matched, r.referenceLeaves)} | ${r.matched} / ${r.referenceLeaves} | ${r.excused.length} | ${r.extra.length} |`);
  const lines = [...(r.error ? [`ERROR ${r.error}`] : []), ...r.problems, ...(verbose ? [...r.excused.map((e) => `excused: ${e}`), ...r.extra] : [])];
  if (lines.length) details.push(`\n${p.id}\n  ${lines.join('\n  ')}`);
}
console.log(`| **total** (${pairs.length} pairs) | | | **${score(matched, ref)}** | ${matched} / ${ref} | ${excused} | ${extra} |`);
if (details.length) console.log(details.join('\n'));
console.log(`\nconformance: ${pairs.length - bad} of ${pairs.length} pairs match (excused differences: ${excused}, extra leaves: ${extra})${verbose ? '' : '; --verbose lists excused and extra leaves'}`);
process.exitCode = bad > 0 ? 1 : 0;
