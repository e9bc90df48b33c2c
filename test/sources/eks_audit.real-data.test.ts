/**
 * Real data (issue 5 item 7): every file under ../shared/raw/eks-audit/ maps at every supported EKS_AUDIT
 * version (2.0 only) without a crash, every event is valid OCSF, and every failure is listed with its reason.
 * The only expected failure is the deliberately malformed Falco event `fal_01_003.json` (`{"kind": 0}`,
 * raw/README.md §2b), which no EKS decoder recognises.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const RAW = resolve(process.cwd(), '../shared/raw/eks-audit');

function dataFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? dataFiles(join(dir, d.name)) : /\.jsonl?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe.skipIf(!existsSync(RAW))('EKS_AUDIT over ../shared/raw/eks-audit', () => {
  const files = existsSync(RAW) ? dataFiles(RAW).sort() : [];
  const validator = createValidator();

  it.each(Object.keys(getSource('EKS_AUDIT')!.versions))('source version %s: no crash, every event valid, failures listed', async (version) => {
    const session = createMapSession({ source: 'EKS_AUDIT', sourceVersion: version });
    const failures: string[] = [];
    let events = 0;
    for (const f of files) {
      for await (const o of session.mapInput(f, readFileSync(f))) {
        if (o.kind === 'event') {
          events++;
          const r = validator.validate(o.event);
          if (!r.valid) failures.push(`INVALID ${relative(RAW, f)}: ${JSON.stringify(r.errors)}`);
        } else if (o.kind === 'failure') failures.push(`${relative(RAW, f)}: ${o.failure.reason}`);
        else failures.push(`${relative(RAW, f)}: filtered ${o.filtered.reason}`);
      }
    }
    const s = session.stats;
    expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
    expect(s.failuresByReason['mapper-error']).toBeUndefined();
    expect(failures).toEqual(['falcosecurity_falco_k8s_audit_trace_files/fal_01_003.json: unknown-format']);
    // 51 Falco events (v1, v1beta1 and without apiVersion), the EKS JSON-lines event and the same event
    // from the Logs Insights result row.
    expect(events).toBe(53);
    expect(s.eventsByClass).toEqual({ '6003': 53 });
  });
});
