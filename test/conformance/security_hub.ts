/**
 * Security Hub (SH_FINDINGS) conformance pairs: AWS's native Security Lake output at source version 1.0
 * (`aws-native/1.0.0-rc.2/SH_FINDINGS/`, `inputs/securityhub-inputsN` ↔ `exampleN`, paired by index and
 * confirmed by content in ../shared/aws-native/README.md), and the OCSF project's published samples:
 * the rc.2 Security Hub sample at 1.0 and the three 1.1.0 samples (Compliance, Detection, Vulnerability
 * Finding) at 2.0.
 */
import { shared } from './paths.js';
import { readAwsParquet, readOcsfJson } from './readers.js';
import type { ConformancePair } from './types.js';

const native: ConformancePair[] = [0, 1, 2, 3].map((n) => ({
  id: `SH_FINDINGS/aws-native/1.0/example${n}`,
  kind: 'aws-native',
  source: 'SH_FINDINGS',
  sourceVersion: '1.0',
  input: shared('aws-native/1.0.0-rc.2/SH_FINDINGS/inputs', `securityhub-inputs${n}.json.gz`),
  expected: () => readAwsParquet(shared('aws-native/1.0.0-rc.2/SH_FINDINGS', `example${n}.json.gz.parquet`)),
}));

const v110 = (dir: string, name: string): ConformancePair => ({
  id: `SH_FINDINGS/ocsf-examples/2.0/${name}`,
  kind: 'ocsf-examples',
  source: 'SH_FINDINGS',
  sourceVersion: '2.0',
  input: shared('ocsf-examples/v1.1.0/security_hub', dir, `${name}.raw.json`),
  expected: () => readOcsfJson(shared('ocsf-examples/v1.1.0/security_hub', dir, `${name}.ocsf.json`)),
});

const examples: ConformancePair[] = [
  {
    id: 'SH_FINDINGS/ocsf-examples/1.0/security_hub',
    kind: 'ocsf-examples',
    source: 'SH_FINDINGS',
    sourceVersion: '1.0',
    input: shared('ocsf-examples/v1.0.0-rc.2/security_hub/security_hub.raw.json'),
    expected: () => readOcsfJson(shared('ocsf-examples/v1.0.0-rc.2/security_hub/security_hub.ocsf.json')),
  },
  v110('compliance_finding', 'sechub-pci'),
  v110('detection_finding', 'sechub-guardduty'),
  v110('vulnerability_finding', 'inspector'),
];

export const pairs: ConformancePair[] = [...native, ...examples];
