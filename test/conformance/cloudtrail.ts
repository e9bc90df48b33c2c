/**
 * CloudTrail conformance pairs (issue 3 item 8):
 * - AWS's native Security Lake output for 21 CloudTrail records at source version 1.0 (OCSF 1.0.0-rc.2):
 *   `aws-native/1.0.0-rc.2/CLOUD_TRAIL/<folder>/input/<Name>.test.gz` ↔ `<folder>/<Name>.test.gz.parquet`
 *   (pairing by base name, aws-native/README.md);
 * - the OCSF project's published 1.1.0 samples at source version 2.0:
 *   `ocsf-examples/v1.1.0/cloudtrail/<class>/<name>.raw.json` ↔ `<name>.ocsf.json`.
 * Accepted differences are in `deviations.ts` (CloudTrail section), each tied to a deviation id in
 * `mappings/cloudtrail/*.json`.
 */
import { readdirSync } from 'node:fs';
import { shared } from './paths.js';
import { readAwsParquet, readOcsfJson } from './readers.js';
import type { ConformancePair } from './types.js';

const NATIVE = 'aws-native/1.0.0-rc.2/CLOUD_TRAIL';
const EXAMPLES = 'ocsf-examples/v1.1.0/cloudtrail';

function nativePairs(): ConformancePair[] {
  const out: ConformancePair[] = [];
  for (const folder of readdirSync(shared(NATIVE)).sort()) {
    for (const f of readdirSync(shared(NATIVE, folder, 'input')).sort()) {
      if (!f.endsWith('.test.gz')) continue;
      const name = f.slice(0, -'.test.gz'.length);
      out.push({
        id: `CLOUD_TRAIL/${folder.replace(/\(.*\)$/, '')}/${name}`,
        kind: 'aws-native',
        source: 'cloudtrail',
        sourceVersion: '1.0',
        input: shared(NATIVE, folder, 'input', f),
        expected: () => readAwsParquet(shared(NATIVE, folder, `${name}.test.gz.parquet`)),
      });
    }
  }
  return out;
}

function examplePairs(): ConformancePair[] {
  const out: ConformancePair[] = [];
  for (const cls of readdirSync(shared(EXAMPLES)).sort()) {
    for (const f of readdirSync(shared(EXAMPLES, cls)).sort()) {
      if (!f.endsWith('.raw.json')) continue;
      const name = f.slice(0, -'.raw.json'.length);
      out.push({
        id: `CLOUD_TRAIL/ocsf-examples/v1.1.0/${cls}/${name}`,
        kind: 'ocsf-examples',
        source: 'cloudtrail',
        sourceVersion: '2.0',
        input: shared(EXAMPLES, cls, f),
        expected: () => readOcsfJson(shared(EXAMPLES, cls, `${name}.ocsf.json`)),
      });
    }
  }
  return out;
}

export const pairs = (): ConformancePair[] => [...nativePairs(), ...examplePairs()];
