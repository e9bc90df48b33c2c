/** CLI flags for S3-compatible endpoints, and loading a lake's source configuration, shared by lake commands. */
import type { S3ClientOptions } from '../io/s3.js';
import type { OptionSpec } from './command.js';

export const S3_FLAGS: Record<string, OptionSpec> = {
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  'kms-key-id': { type: 'string' },
};

/** S3 client settings from `--endpoint` / `--path-style` (the SDK's defaults otherwise). */
export function s3OptionsFromArgs(values: Record<string, unknown>): S3ClientOptions | undefined {
  if (typeof values.endpoint !== 'string') return undefined;
  return { endpoint: values.endpoint, forcePathStyle: values['path-style'] === true };
}

/** The lake's source configuration (moved to src/pipeline/collection.ts, shared with the Lambda handler). */
export { lakeCollection } from '../pipeline/collection.js';
