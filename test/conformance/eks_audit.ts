/**
 * EKS audit conformance pairs (issue 5 item 6). One raw event, `ocsf-examples/v1.1.0/eks_audit/eks.raw.json`,
 * has two references: AWS's native Security Lake output `aws-native/1.1.0/EKS/test.parquet` (which has no
 * raw file of its own; aws-native/README.md and mapping-spec §11.5 identify this event as its input) and
 * the OCSF project's published 1.1.0 sample `eks.ocsf.json`. `sameEvent` checks that pairing each time the
 * references are read.
 */
import { readFileSync } from 'node:fs';
import { shared } from './paths.js';
import { readAwsParquet, readOcsfJson } from './readers.js';
import type { ConformancePair } from './types.js';

const RAW = shared('ocsf-examples/v1.1.0/eks_audit/eks.raw.json');

/**
 * Throws unless the reference record is the raw event's output: same auditID (api.request.uid), same
 * stageTimestamp instant (time) and the same unmapped keys and values as the published sample.
 */
export function sameEvent(reference: Record<string, unknown>, label: string): void {
  const raw = JSON.parse(readFileSync(RAW, 'utf8')) as { auditID: string; stageTimestamp: string };
  const api = reference.api as { request?: { uid?: unknown } } | undefined;
  const uid = api?.request?.uid;
  if (uid !== raw.auditID) throw new Error(`${label}: api.request.uid ${String(uid)} is not the raw auditID ${raw.auditID}`);
  const time = Number(reference.time);
  if (time !== Math.trunc(Date.parse(raw.stageTimestamp.slice(0, 23) + 'Z'))) {
    throw new Error(`${label}: time ${time} is not the raw stageTimestamp ${raw.stageTimestamp}`);
  }
  const sample = readOcsfJson(shared('ocsf-examples/v1.1.0/eks_audit/eks.ocsf.json'))[0]!.unmapped as Record<string, string>;
  const um = reference.unmapped as Record<string, string> | undefined;
  const keys = Object.keys(sample);
  if (!um || Object.keys(um).length !== keys.length || keys.some((k) => um[k] !== sample[k])) {
    throw new Error(`${label}: unmapped differs from the published sample's`);
  }
}

export const pairs: ConformancePair[] = [
  {
    id: 'EKS_AUDIT/aws-native/1.1.0/EKS/test.parquet',
    kind: 'aws-native',
    source: 'EKS_AUDIT',
    sourceVersion: '2.0',
    input: RAW,
    async expected() {
      const rows = await readAwsParquet(shared('aws-native/1.1.0/EKS/test.parquet'));
      for (const r of rows) sameEvent(r, 'aws-native/1.1.0/EKS/test.parquet');
      return rows;
    },
  },
  {
    id: 'EKS_AUDIT/ocsf-examples/v1.1.0/eks_audit/eks',
    kind: 'ocsf-examples',
    source: 'EKS_AUDIT',
    sourceVersion: '2.0',
    input: RAW,
    expected() {
      return readOcsfJson(shared('ocsf-examples/v1.1.0/eks_audit/eks.ocsf.json'));
    },
  },
];
