/** `ocsf-lake map --source SH_FINDINGS` end to end (a spawned CLI over the goldens and an EventBridge envelope). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const golden = (f: string) => fileURLToPath(new URL(`../golden/security_hub/${f}`, import.meta.url));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('ocsf-lake map --source SH_FINDINGS', () => {
  it('maps goldens at both source versions to their expected events', () => {
    const files = ['inspector-package', 'guardduty-runtime', 'control-failed'];
    for (const version of ['1.0', '2.0']) {
      const r = cli(['map', '--source', 'SH_FINDINGS', '--source-version', version, ...files.map((f) => golden(`${f}.raw.json`))]);
      expect(r.code).toBe(0);
      expect(lines(r.stdout)).toEqual(files.map((f) => JSON.parse(readFileSync(golden(`${f}.${version}.ocsf.json`), 'utf8'))));
      expect(r.stderr).toMatch(/summary: records in 3, events 3 \(SH_FINDINGS 3\), failures 0, filtered 0/);
    }
  });

  it('reads an EventBridge envelope from stdin; --region/--account fill only what the finding and envelope lack', () => {
    const finding = JSON.parse(readFileSync(golden('three-resources.raw.json'), 'utf8'));
    delete finding.Region;
    delete finding.AwsAccountId;
    finding.ProductArn = 'arn:aws:securityhub:::product/prowler/prowler'; // no region in the ARN either
    const envelope = { version: '0', 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', account: '678901234567', detail: { findings: [finding] } };
    const r = cli(['map', '--source', 'SH_FINDINGS', '--region', 'eu-west-3', '--account', '999999999999', '-'], JSON.stringify(envelope));
    expect(r.code).toBe(0);
    const [ev] = lines(r.stdout);
    // The envelope carries the account (it wins over --account); nothing carries the region but --region.
    expect(ev!.cloud).toEqual({ account: { uid: '678901234567' }, provider: 'AWS', region: 'eu-west-3' });
    expect(ev!.class_uid).toBe(2003);
  });

  it('auto-detects Security Hub input among every registered source', () => {
    const r = cli(['map', '--source', 'auto', golden('macie-s3.raw.json')]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatchObject({ class_uid: 2004, metadata: { version: '1.1.0', product: { name: 'Macie' } } });
    expect(r.stderr).toMatch(/events 1 \(SH_FINDINGS 1\)/);
  });
});
