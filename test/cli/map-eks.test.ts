/** `ocsf-lake map --source EKS_AUDIT` end to end (a spawned CLI over the goldens). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const golden = (f: string) => fileURLToPath(new URL(`../golden/eks_audit/${f}`, import.meta.url));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ocsf-lake map --source EKS_AUDIT', () => {
  it('rejects source version 1.0 as a usage error: EKS audit exists only from source version 2.0', () => {
    const r = cli(['map', '--source', 'EKS_AUDIT', '--source-version', '1.0', golden('verbs.raw.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('EKS_AUDIT exists only from source version 2.0 (asked for 1.0)');
    expect(r.stderr).toMatch(/^ocsf-lake map: .*\(see: ocsf-lake map --help\)\n$/);
  });

  it('maps the goldens to their expected NDJSON, with --region/--account filling what the envelope lacks', () => {
    const r = cli([
      'map', '--source', 'EKS_AUDIT', '--source-version', '2.0', '--region', 'eu-central-1', '--account', '555566667777',
      golden('verbs.raw.jsonl'), golden('cwl_subscription.raw.json'), golden('iam_role_user.raw.json'),
    ]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const expected = [
      ...JSON.parse(readFileSync(golden('verbs.2.0.ocsf.json'), 'utf8')),
      ...JSON.parse(readFileSync(golden('cwl_subscription.2.0.ocsf.json'), 'utf8')),
      ...JSON.parse(readFileSync(golden('iam_role_user.2.0.ocsf.json'), 'utf8')),
    ];
    expect(events).toHaveLength(expected.length);
    for (let i = 0; i < events.length; i++) {
      const want = structuredClone(expected[i]);
      want.cloud.region = 'eu-central-1';
      // --account is only a default: the CloudWatch Logs owner (111122223333) and user.extra.arn win.
      want.cloud.account ??= { uid: '555566667777' };
      expect(events[i]).toEqual(want);
    }
    expect(r.stderr).toMatch(/summary: records in 11, events 11 \(EKS_AUDIT 11\), failures 0/);
  });
});
