/**
 * The run report after the summary table, on the sample logs of ../shared/raw through the built CLI: where the
 * dead letters are, failures by source × reason with a sample and a fix for the causes a flag fixes (the 53 EKS
 * audit and 16 VPC Flow records without a Region, headerless VPC lines of another format), class names beside
 * class ids, files and bytes per table; the same as JSON; `--fail-on-failures` for CI; and the fix it names
 * works (replay with --region writes the records).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/pipeline/report.js';
import { ROOT, runCli } from '../cli-bin.js';

const RAW = join(ROOT, '..', 'shared', 'raw');
const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-cli-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const inputs = join(tmp, 'in');
cpSync(join(RAW, 'eks-audit'), join(inputs, 'eks-audit'), { recursive: true });
cpSync(join(RAW, 'vpcflow'), join(inputs, 'vpcflow'), { recursive: true });
cpSync(join(RAW, 'cloudtrail', 'awsdocs', 'cloudtrail-user-guide__log-file-examples.jsonl'), join(inputs, 'cloudtrail', 'examples.jsonl'));
// Headerless VPC Flow lines of a custom format: read with the default v2 format, one of them does not fit.
const flows = join(inputs, 'AWSLogs', '123456789012', 'vpcflowlogs', 'us-east-1', 'custom-flows.log');
mkdirSync(dirname(flows), { recursive: true });
writeFileSync(flows, '2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 840 1620000000 1620000060 ACCEPT OK\n5 eni-0a1b2c3d 10.0.0.1 ACCEPT\n');

describe('the run report', () => {
  const out = join(tmp, 'lake');
  const text = runCli(['ingest', '--workers', '1', '--out', out, inputs]);
  const json = runCli(['ingest', '--workers', '1', '--json', '--out', join(tmp, 'lake-json'), inputs]);

  it('prints where the dead letters are, failures by source and reason with a sample and the fix, classes by name, tables', () => {
    expect(text.status, text.stderr).toBe(0);
    const s = text.stdout;
    expect(s).toContain(`dead letters      ${join(out, 'dlq/')} (`);
    expect(s).toMatch(/^ {2}EKS_AUDIT invalid-partition +53$/m);
    expect(s).toMatch(/^ {2}VPC_FLOW invalid-partition +16$/m);
    expect(s).toMatch(/^ {2}VPC_FLOW field-count-mismatch +1$/m);
    expect(s).toContain('      e.g. cloud.region: no region: the event has no cloud.region');
    expect(s).toContain(`      fix: these EKS_AUDIT records name no Region: pass --region REGION (the Region they come from); then: ocsf-lake replay --region REGION --out ${out} ${join(out, 'dlq/EKS_AUDIT/invalid-partition')}`);
    expect(s).toContain("      fix: lines without a header line are read with the default v2 format: pass --vpc-format '<the flow log's format>'");
    expect(s).toMatch(/^ {2}6003 API Activity +4$/m);
    expect(s).toMatch(/^ {2}3001 Account Change +3$/m);
    expect(s).toMatch(/^ {2}aws\/CLOUD_TRAIL_MGMT\/2\.0 +7 events +\d+ files +[\d.]+ MB$/m);
  });

  it('the same as JSON, with files and bytes per table adding up to the run totals', () => {
    expect(json.status, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { files: number; bytesOut: number; eventsWritten: number; failures: number; report: RunReport };
    const r = doc.report;
    expect(r.deadLetters?.location).toBe(join(tmp, 'lake-json', 'dlq/'));
    const eks = r.failures.find((f) => f.source === 'EKS_AUDIT' && f.reason === 'invalid-partition')!;
    expect(eks.records).toBe(53);
    expect(eks.hint).toMatch(/^these EKS_AUDIT records name no Region: pass --region REGION/);
    expect(eks.sampleInput).toMatch(/eks-audit\//);
    expect(r.failures.reduce((n, f) => n + f.records, 0)).toBe(doc.failures);
    expect(r.classes).toContainEqual({ uid: 6003, name: 'API Activity', events: 4 });
    expect(r.tables.reduce((n, t) => n + t.files, 0)).toBe(doc.files);
    expect(r.tables.reduce((n, t) => n + t.bytes, 0)).toBe(doc.bytesOut);
    expect(r.tables.reduce((n, t) => n + t.events, 0)).toBe(doc.eventsWritten);
  });

  it('--fail-on-failures turns failed records into exit 1, with one line saying why', () => {
    const r = runCli(['ingest', '--workers', '1', '--fail-on-failures', '--out', join(tmp, 'lake-ci'), inputs]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ocsf-lake ingest: \d+ records failed \(--fail-on-failures\)\n$/);
  });

  it('the fix it names works: replay --region writes the EKS records', () => {
    const r = runCli(['replay', '--region', 'us-east-1', '--json', '--out', out, join(out, 'dlq', 'EKS_AUDIT', 'invalid-partition')]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { recordsIn: number; eventsWritten: number };
    expect(doc.recordsIn).toBe(53);
    expect(doc.eventsWritten).toBe(53);
  });

  it('warns when an AWS source falls back to accountId=external', () => {
    // Six of the AWS documentation's seven examples carry no recipientAccountId, and they sit under no AWSLogs/ key.
    expect(text.stdout).toMatch(/^warning: 6 CLOUD_TRAIL_MGMT events name no AWS account .*accountId=external; pass --account ACCOUNT_ID/m);
  });
});
