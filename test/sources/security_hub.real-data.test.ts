/**
 * Real data: every finding and envelope under ../shared/raw/securityhub/ (raw README §4: 123 ASR
 * control findings as bare objects and EventBridge "Imported" / "Custom Action" envelopes, AWS docs
 * examples for GuardDuty, Inspector Classic, Access Analyzer, Config and controls, one Prowler array,
 * one "Insight Results" envelope without ASFF) maps at both source versions without a crash; every event
 * validates; anything not mapped is listed with its reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/raw/securityhub');
const files: string[] = [];
(function walk(dir: string) {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.jsonl?$/.test(f)) files.push(p);
  }
})(ROOT);
const validator = createValidator();

describe.each(['1.0', '2.0'])('../shared/raw/securityhub at source version %s', (version) => {
  it('maps every finding; every event is valid; the rest is accounted for', async () => {
    const session = createMapSession({ source: 'SH_FINDINGS', sourceVersion: version });
    const invalid: string[] = [];
    const notMapped: string[] = [];
    for (const file of files) {
      for await (const o of session.mapInput(file, readFileSync(file))) {
        const where = relative(ROOT, file);
        if (o.kind === 'event') {
          const r = validator.validate(o.event);
          if (!r.valid) invalid.push(`${where}#${o.context.index ?? 0}: ${JSON.stringify(r.errors)}`);
        } else if (o.kind === 'failure') notMapped.push(`${where}: failure ${o.failure.reason}: ${o.failure.message}`);
        else notMapped.push(`${where}: filtered ${o.filtered.reason} ${o.filtered.detail}`);
      }
    }
    expect(invalid).toEqual([]);
    // The one input without ASFF: an EventBridge "Security Hub Insight Results" event (raw README §4b).
    expect(notMapped).toEqual(['awsdocs/securityhub-user-guide__cwe-event-formats__insight-results.json: filtered not-asff Security Hub Insight Results']);
    const s = session.stats;
    expect(files.length).toBe(131);
    expect(s).toMatchObject({ recordsIn: 137, events: 136, failures: 0, filtered: 1 });
    // 131 Security Hub control findings + Config + Prowler are compliance findings at 2.0; GuardDuty,
    // Access Analyzer and the Inspector Classic reachability finding (no Vulnerabilities) are detections.
    expect(s.eventsByClass).toEqual(version === '1.0' ? { 2001: 136 } : { 2003: 133, 2004: 3 });
  });
});
