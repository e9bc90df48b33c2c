/**
 * VPC Flow conformance pairs: AWS's native Security Lake output at source version 1.0
 * (`aws-native/1.0.0-rc.2/VPC_FLOW/`: Parquet input N ↔ exampleN, ../shared/aws-native/README.md) and the
 * OCSF project's published samples (CSV raw, rc.2 and 1.1.0) in `ocsf-examples/`.
 */
import { shared } from './paths.js';
import { readAwsParquet, readOcsfJson } from './readers.js';
import type { ConformancePair } from './types.js';

const nativeInputs = ['vpc_flow-input0.json.parquet', 'vpc_flow-input1.json.parquet', 'vpc_flow-input2.json.parquet', 'vpc_flow-input3.parquet'];

const native: ConformancePair[] = nativeInputs.map((file, n) => ({
  id: `VPC_FLOW/aws-native/1.0/example${n}`,
  kind: 'aws-native',
  source: 'VPC_FLOW',
  sourceVersion: '1.0',
  input: shared('aws-native/1.0.0-rc.2/VPC_FLOW/inputs', file),
  expected: () => readAwsParquet(shared('aws-native/1.0.0-rc.2/VPC_FLOW', `example${n}.gz.parquet`)),
}));

const examples: ConformancePair[] = [
  {
    id: 'VPC_FLOW/ocsf-examples/1.0/vpcflowlog',
    kind: 'ocsf-examples',
    source: 'VPC_FLOW',
    sourceVersion: '1.0',
    input: shared('ocsf-examples/v1.0.0-rc.2/vpc_flow/vpcflowlog.raw.csv'),
    expected: () => readOcsfJson(shared('ocsf-examples/v1.0.0-rc.2/vpc_flow/vpcflowlog.ocsf.json')),
  },
  {
    id: 'VPC_FLOW/ocsf-examples/2.0/vpcflowlog',
    kind: 'ocsf-examples',
    source: 'VPC_FLOW',
    sourceVersion: '2.0',
    input: shared('ocsf-examples/v1.1.0/vpc_flow/vpcflowlog.raw.csv'),
    expected: () => readOcsfJson(shared('ocsf-examples/v1.1.0/vpc_flow/vpcflowlog.ocsf.json')),
    unordered: ['observables'],
  },
];

export const pairs: ConformancePair[] = [...native, ...examples];
