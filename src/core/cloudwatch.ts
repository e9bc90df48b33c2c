/**
 * CloudWatch Logs subscription payloads, shared by every source that can arrive through a
 * subscription filter (VPC, Route 53, EKS, CloudTrail): `{"awslogs":{"data":"<base64 gzip>"}}` as
 * Lambda receives it, the base64 text alone, or the decoded `{messageType, owner, logGroup,
 * logStream, logEvents[]}` document as Firehose writes it to S3.
 */
import { gunzipSync } from 'node:zlib';
import { isObject } from './json-input.js';

export interface CwlEvent {
  id?: string;
  timestamp?: number;
  message: string;
}

export interface CwlPayload {
  messageType: string;
  /** AWS account id that owns the log group. */
  owner?: string;
  logGroup?: string;
  logStream?: string;
  logEvents: CwlEvent[];
}

/** True when `v` is a decoded subscription payload. */
export function isCwlPayload(v: unknown): v is CwlPayload {
  return isObject(v) && typeof v.messageType === 'string' && Array.isArray(v.logEvents);
}

/**
 * Unwraps any of the three forms to the decoded payload, or returns undefined when `v` is none of
 * them. Throws on a broken base64/gzip body (the caller reports it as a failure).
 */
export function toCwlPayload(v: unknown): CwlPayload | undefined {
  if (isCwlPayload(v)) return v;
  if (isObject(v) && isObject(v.awslogs) && typeof v.awslogs.data === 'string') return decodeCwlData(v.awslogs.data);
  return undefined;
}

/** Decodes the base64 gzip `data` string of a subscription delivery. */
export function decodeCwlData(data: string): CwlPayload {
  const json = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
  if (!isCwlPayload(json)) throw new TypeError('awslogs.data does not hold a CloudWatch Logs payload');
  return json;
}

/**
 * Region from a log group or stream ARN (`arn:aws:logs:us-east-1:123456789012:log-group:...`), when
 * the envelope carries one. Plain log group names carry no region.
 */
export function regionFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  return parts[3] || undefined;
}

/** Account id from an ARN's fifth field. */
export function accountFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  return parts[4] || undefined;
}
