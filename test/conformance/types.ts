/** Shapes shared by the conformance framework and the per-source pair lists. */
import type { RecordContext, SourceOptions } from '../../src/index.js';

export interface ConformancePair {
  /** Stable id, e.g. `CLOUD_TRAIL/account_change/CreateUser` or `v1.1.0/route53`. */
  id: string;
  /** Where the reference comes from: AWS's native output or the OCSF project's published sample. */
  kind: 'aws-native' | 'ocsf-examples';
  /** `--source` value (sourceName or family). */
  source: string;
  sourceVersion: '1.0' | '2.0';
  /** Absolute path of the raw input. */
  input: string;
  /** Reference records, in the order our events should come out. */
  expected(): Promise<Record<string, unknown>[]> | Record<string, unknown>[];
  context?: RecordContext;
  options?: SourceOptions;
  /** Array attributes whose order is not significant (e.g. `observables`). */
  unordered?: readonly string[];
}

export interface Deviation {
  /** Pair ids it applies to: exact id or a RegExp. */
  pair: string | RegExp;
  /** Leaf path (as printed by the report) or a RegExp over it. */
  path: string | RegExp;
  kind: 'missing' | 'different' | 'extra';
  /** Why we differ from the reference, with the spec section or artifact it rests on. */
  reason: string;
}
