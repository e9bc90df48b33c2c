/**
 * The raw VPC Flow Logs record schema (AWS VPC user guide, "Available fields", versions 2–8; mapping-spec
 * §4.1): every field name AWS can put in a format string or a file header, with a numeric id used by the
 * compiled formats and the mapper. Names are kept in the underscore form (`account_id`); the hyphen form
 * of text headers (`account-id`) is normalised on input (DOC note in §4).
 */

/** Field ids, in AWS's documentation order. `FIELD_NAMES[F.srcaddr] === 'srcaddr'`. */
export const FIELD_NAMES = [
  // v2 (the default format, in its order)
  'version', 'account_id', 'interface_id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol',
  'packets', 'bytes', 'start', 'end', 'action', 'log_status',
  // v3
  'vpc_id', 'subnet_id', 'instance_id', 'tcp_flags', 'type', 'pkt_srcaddr', 'pkt_dstaddr',
  // v4
  'region', 'az_id', 'sublocation_type', 'sublocation_id',
  // v5
  'pkt_src_aws_service', 'pkt_dst_aws_service', 'flow_direction', 'traffic_path',
  // v7
  'ecs_cluster_arn', 'ecs_cluster_name', 'ecs_container_instance_arn', 'ecs_container_instance_id',
  'ecs_container_id', 'ecs_second_container_id', 'ecs_service_name', 'ecs_task_definition_arn',
  'ecs_task_arn', 'ecs_task_id',
  // v8
  'reject_reason',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** Field id constants (`F.srcaddr`), so the mapper reads by index, never by name. */
export const F = Object.freeze(Object.fromEntries(FIELD_NAMES.map((n, i) => [n, i]))) as { readonly [K in FieldName]: number };

export const FIELD_COUNT = FIELD_NAMES.length;

/** The v2 default format (used when a headerless input comes without `--vpc-format`). */
export const DEFAULT_FORMAT: readonly string[] = FIELD_NAMES.slice(0, 14);

const byName = new Map<string, number>(FIELD_NAMES.map((n, i) => [n, i]));

/** `account-id` / `account_id` / `${account-id}` → `account_id`. */
export function normalizeFieldName(name: string): string {
  let s = name;
  if (s.startsWith('${') && s.endsWith('}')) s = s.slice(2, -1);
  return s.trim().toLowerCase().replace(/-/g, '_');
}

/** Field id of a (normalised or not) name, or -1 when AWS does not define it. */
export function fieldId(name: string): number {
  return byName.get(name) ?? byName.get(normalizeFieldName(name)) ?? -1;
}

/** Fields whose values must be unsigned integers (a non-numeric value is `invalid-number`), with their maxima. */
export const INT_FIELDS: ReadonlyMap<number, number> = new Map([
  [F.srcport, 65535],
  [F.dstport, 65535],
  [F.protocol, 255],
  [F.packets, Number.MAX_SAFE_INTEGER],
  [F.bytes, Number.MAX_SAFE_INTEGER],
  [F.tcp_flags, 65535],
]);

/**
 * Value syntax of the fields whose form is distinctive, used ONLY to recognise a headerless line as a
 * VPC flow record of a known format (sniffing), never to guess a format.
 */
const IP = /^(?:-|[0-9a-fA-F:.]+)$/;
const UINT = /^(?:-|\d+)$/;
const VALUE_SYNTAX: ReadonlyMap<number, RegExp> = new Map([
  [F.version, /^\d+$/],
  [F.account_id, /^(?:-|unknown|\d+)$/],
  [F.interface_id, /^(?:-|eni-[0-9a-z]+)$/],
  [F.srcaddr, IP],
  [F.dstaddr, IP],
  [F.pkt_srcaddr, IP],
  [F.pkt_dstaddr, IP],
  [F.srcport, UINT],
  [F.dstport, UINT],
  [F.protocol, UINT],
  [F.packets, UINT],
  [F.bytes, UINT],
  [F.start, /^\d+$/],
  [F.end, /^\d+$/],
  [F.action, /^(?:-|[A-Z_]+)$/],
  [F.log_status, /^(?:OK|NODATA|SKIPDATA)$/],
  [F.vpc_id, /^(?:-|vpc-[0-9a-z]+)$/],
  [F.subnet_id, /^(?:-|subnet-[0-9a-z]+)$/],
  [F.instance_id, /^(?:-|i-[0-9a-z]+)$/],
  [F.tcp_flags, UINT],
  [F.type, /^(?:-|IPv4|IPv6|EFA)$/],
  [F.flow_direction, /^(?:-|ingress|egress)$/],
  [F.traffic_path, UINT],
]);

/**
 * True when `tokens` (one headerless line, already split) fits the given field list: same count and
 * every field with a distinctive syntax matches it, with at least three such fields checked.
 */
export function fitsFormat(tokens: readonly string[], fields: readonly number[]): boolean {
  if (tokens.length !== fields.length) return false;
  let checked = 0;
  for (let i = 0; i < fields.length; i++) {
    const re = VALUE_SYNTAX.get(fields[i]!);
    if (re === undefined) continue;
    if (!re.test(tokens[i]!)) return false;
    checked++;
  }
  return checked >= 3;
}
