/**
 * Route 53 conformance pairs: AWS's native Security Lake output at source version 1.0
 * (`aws-native/1.0.0-rc.2/ROUTE53/`, input N ↔ exampleN, ../shared/aws-native/README.md) and the OCSF
 * project's published samples (rc.2 and 1.1.0) in `ocsf-examples/`.
 */
import { shared } from './paths.js';
import { readAwsParquet, readOcsfJson } from './readers.js';
import type { ConformancePair } from './types.js';

const native: ConformancePair[] = [0, 1, 2, 3].map((n) => ({
  id: `ROUTE53/aws-native/1.0/example${n}`,
  kind: 'aws-native',
  source: 'ROUTE53',
  sourceVersion: '1.0',
  input: shared('aws-native/1.0.0-rc.2/ROUTE53/inputs', `route53-inputs${n}.json.gz`),
  expected: () => readAwsParquet(shared('aws-native/1.0.0-rc.2/ROUTE53', `example${n}.json.gz.parquet`)),
}));

const examples: ConformancePair[] = [
  {
    id: 'ROUTE53/ocsf-examples/1.0/route53',
    kind: 'ocsf-examples',
    source: 'ROUTE53',
    sourceVersion: '1.0',
    input: shared('ocsf-examples/v1.0.0-rc.2/route53/route53.raw.json'),
    expected: () => readOcsfJson(shared('ocsf-examples/v1.0.0-rc.2/route53/route53.ocsf.json')),
  },
  {
    id: 'ROUTE53/ocsf-examples/2.0/route53',
    kind: 'ocsf-examples',
    source: 'ROUTE53',
    sourceVersion: '2.0',
    input: shared('ocsf-examples/v1.1.0/route53/route53.raw.json'),
    expected: () => readOcsfJson(shared('ocsf-examples/v1.1.0/route53/route53.ocsf.json')),
  },
];

export const pairs: ConformancePair[] = [...native, ...examples];
