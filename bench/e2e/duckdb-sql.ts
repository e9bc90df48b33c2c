/**
 * The DuckDB side of the end-to-end benchmark: for each source, one `COPY (SELECT …) TO … (FORMAT parquet,
 * COMPRESSION zstd, PARTITION_BY (region, accountid, eventday))` that reads the same gzip files as our
 * pipeline and writes the same OCSF 1.1.0 fields (source version 2.0) as nested structs, following our mappers'
 * output for the main fields: classification ids and captions, `time`/`time_dt`, `metadata`, the actor/user,
 * `api`, endpoints, `cloud`, resources, observables and `unmapped` (a map of the raw fields no other column
 * takes; the mappers flatten *every* leftover leaf, the SQL lists the known ones).
 *
 * Inputs are read with an explicit `columns={…}` schema (`../shared/docs/stack.md` §3: declaring the schema is
 * worth about 1.7× to DuckDB); CloudTrail's `{"Records":[…]}` objects are unnested. Class routing and
 * activity ids for CloudTrail are generated from `mappings/cloudtrail/routing.json`, the same table our
 * mapper compiles, so both sides classify every record alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleSource } from '../../src/samples/index.js';
import { REPO } from './data.js';

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const list = (xs: readonly string[]) => xs.map(q).join(', ');
/** `[{'key': k, 'value': v}, …]` without the null values, as a MAP (empty when nothing is left). */
function unmappedMap(entries: readonly (readonly [string, string])[]): string {
  const items = entries.map(([k, v]) => `{'key': ${q(k)}, 'value': CAST(${v} AS VARCHAR)}`).join(',\n      ');
  return `map_from_entries(list_filter([\n      ${items}\n    ], e -> e.value IS NOT NULL))`;
}
/** Observables list without the null values. */
function observables(entries: readonly (readonly [name: string, type: string, typeId: number, value: string])[]): string {
  const items = entries.map(([n, t, id, v]) => `{'name': ${q(n)}, 'type': ${q(t)}, 'type_id': ${id}, 'value': ${v}}`).join(',\n      ');
  return `list_filter([\n      ${items}\n    ], o -> o.value IS NOT NULL)`;
}
const IS_IP = (col: string) => `(regexp_full_match(${col}, '\\d{1,3}(\\.\\d{1,3}){3}') OR contains(${col}, ':'))`;
const COPY_TAIL = `(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (region, accountid, eventday), OVERWRITE_OR_IGNORE true)`;

// ─── CloudTrail ──────────────────────────────────────────────────────────────────────────────────

interface Routing {
  sources: { data: Record<string, string> };
  class_by_event_name: { authentication: string[]; account_change: string[] };
  activity_rules: {
    api_activity: { groups: { activity_id: number; keywords: string[] }[]; default: number };
    account_change: { rules: { activity_id: number; contains?: string[]; equals?: string[] }[]; default: number };
    authentication: { logon: string[]; logon_activity_id: number; default: number };
  };
}

const CT_COLUMNS = `{Records: 'STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, invokedBy VARCHAR,
    sessionContext STRUCT(sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR),
      webIdFederationData JSON, attributes STRUCT(creationDate VARCHAR, mfaAuthenticated VARCHAR), ec2RoleDelivery VARCHAR)),
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
  errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, additionalEventData JSON,
  requestID VARCHAR, eventID VARCHAR, readOnly BOOLEAN, resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[],
  eventType VARCHAR, apiVersion VARCHAR, managementEvent BOOLEAN, recipientAccountId VARCHAR, sharedEventID VARCHAR,
  vpcEndpointId VARCHAR, eventCategory VARCHAR,
  tlsDetails STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR))[]'}`;

function cloudTrailSql(glob: string, out: string): string {
  const routing = JSON.parse(readFileSync(join(REPO, 'mappings/cloudtrail/routing.json'), 'utf8')) as Routing;
  const auth = routing.class_by_event_name.authentication;
  const acct = routing.class_by_event_name.account_change;
  const dataSources = Object.keys(routing.sources.data);
  const ar = routing.activity_rules;
  // API Activity: keyword groups by prefix, then the same groups by substring (routing.json §3.2).
  const apiPrefix = ar.api_activity.groups.map((g) => `WHEN ${g.keywords.map((k) => `starts_with(eventName, ${q(k)})`).join(' OR ')} THEN ${g.activity_id}`).join(' ');
  const apiContains = ar.api_activity.groups.map((g) => `WHEN ${g.keywords.map((k) => `contains(eventName, ${q(k)})`).join(' OR ')} THEN ${g.activity_id}`).join(' ');
  const acctRules = ar.account_change.rules
    .map((r) => {
      const conds = [...(r.contains ?? []).map((k) => `contains(eventName, ${q(k)})`), ...(r.equals ?? []).map((k) => `eventName = ${q(k)}`)];
      return `WHEN ${conds.join(' OR ')} THEN ${r.activity_id}`;
    })
    .join(' ');
  const API_ACT = `CASE ${apiPrefix} ${apiContains} ELSE ${ar.api_activity.default} END`;
  const ACCT_ACT = `CASE ${acctRules} ELSE ${ar.account_change.default} END`;
  const tables = JSON.parse(readFileSync(join(REPO, 'mappings/cloudtrail/1.1.0.json'), 'utf8')) as { classes: Record<string, { class_uid: number; activities: Record<string, string> }> };
  const captions = Object.values(tables.classes).flatMap((c) => Object.entries(c.activities).map(([id, name]) => `WHEN ${c.class_uid * 100 + Number(id)} THEN ${q(name)}`));
  const ACTIVITY_NAME = `CASE class_uid * 100 + activity_id ${captions.join(' ')} END`;
  const AUTH_ACT = `CASE WHEN eventName IN (${list(ar.authentication.logon)}) THEN ${ar.authentication.logon_activity_id} ELSE ${ar.authentication.default} END`;
  return `COPY (
  WITH raw AS (
    SELECT unnest(Records, max_depth := 2)
    FROM read_json(${q(glob)}, format = 'auto', compression = 'gzip', maximum_object_size = 268435456, columns = ${CT_COLUMNS})
  ), r AS (
    SELECT *,
      coalesce(eventCategory = 'Data', managementEvent = false, false) AS is_data,
      CASE WHEN coalesce(eventCategory = 'Data', managementEvent = false, false) THEN 6003
           WHEN eventName IN (${list(auth)}) THEN 3002
           WHEN eventName IN (${list(acct)}) THEN 3001 ELSE 6003 END AS class_uid,
      CAST(eventTime AS TIMESTAMPTZ) AS ts,
      ${IS_IP('sourceIPAddress')} AS src_is_ip
    FROM raw
    WHERE coalesce(eventCategory, 'Management') IN ('Management', 'Data')
      AND NOT (coalesce(eventCategory = 'Data', managementEvent = false, false) AND eventSource NOT IN (${list(dataSources)}))
  ), c AS (
    SELECT *,
      CASE class_uid WHEN 6003 THEN ${API_ACT} WHEN 3001 THEN ${ACCT_ACT} ELSE ${AUTH_ACT} END AS activity_id,
      CASE class_uid WHEN 3002 THEN (CASE responseElements->>'ConsoleLogin' WHEN 'Success' THEN 1 WHEN 'Failure' THEN 2 ELSE (CASE WHEN errorCode IS NOT NULL THEN 2 ELSE 0 END) END)
        ELSE (CASE WHEN errorCode IS NOT NULL THEN 2 ELSE 1 END) END AS status_id
    FROM r
  )
  SELECT
    class_uid,
    CASE class_uid WHEN 6003 THEN 'API Activity' WHEN 3001 THEN 'Account Change' ELSE 'Authentication' END AS class_name,
    CASE class_uid WHEN 6003 THEN 6 ELSE 3 END AS category_uid,
    CASE class_uid WHEN 6003 THEN 'Application Activity' ELSE 'Identity & Access Management' END AS category_name,
    activity_id,
    ${ACTIVITY_NAME} AS activity_name,
    class_uid * 100 + activity_id AS type_uid,
    CASE class_uid WHEN 6003 THEN 'API Activity: ' WHEN 3001 THEN 'Account Change: ' ELSE 'Authentication: ' END || ${ACTIVITY_NAME} AS type_name,
    1 AS severity_id, 'Informational' AS severity,
    status_id, ['Unknown', 'Success', 'Failure'][status_id + 1] AS status,
    epoch_ms(ts) AS time, ts AS time_dt,
    {'version': '1.1.0', 'profiles': ['cloud', 'datetime'],
     'product': {'name': 'CloudTrail', 'vendor_name': 'AWS', 'version': eventVersion, 'feature': {'name': coalesce(eventCategory, 'Management, Data, and Insights')}},
     'uid': eventID, 'event_code': eventType} AS metadata,
    {'provider': 'AWS', 'region': awsRegion} AS cloud,
    {'operation': eventName, 'version': apiVersion, 'service': {'name': eventSource},
     'request': CASE WHEN requestID IS NOT NULL THEN {'uid': requestID, 'data': CAST(requestParameters AS VARCHAR)} END,
     'response': CASE WHEN errorCode IS NOT NULL OR errorMessage IS NOT NULL OR responseElements IS NOT NULL
                      THEN {'error': errorCode, 'message': errorMessage, 'data': CAST(responseElements AS VARCHAR)} END} AS api,
    {'user': CASE WHEN userIdentity.userName IS NOT NULL OR userIdentity.arn IS NOT NULL OR userIdentity.accountId IS NOT NULL
                  THEN {'type': userIdentity.type, 'name': userIdentity.userName, 'uid': userIdentity.arn, 'uid_alt': userIdentity.principalId,
                        'account': {'uid': userIdentity.accountId}, 'credential_uid': userIdentity.accessKeyId} END,
     'session': CASE WHEN userIdentity.sessionContext.attributes IS NOT NULL OR userIdentity.sessionContext.sessionIssuer IS NOT NULL
                     THEN {'created_time_dt': CAST(userIdentity.sessionContext.attributes.creationDate AS TIMESTAMPTZ),
                           'is_mfa': CAST(userIdentity.sessionContext.attributes.mfaAuthenticated AS BOOLEAN),
                           'issuer': userIdentity.sessionContext.sessionIssuer.arn} END,
     'invoked_by': userIdentity.invokedBy} AS actor,
    {'uid': vpcEndpointId, 'ip': CASE WHEN src_is_ip THEN sourceIPAddress END,
     'domain': CASE WHEN NOT src_is_ip THEN sourceIPAddress END, 'svc_name': CASE WHEN NOT src_is_ip THEN sourceIPAddress END} AS src_endpoint,
    {'user_agent': userAgent} AS http_request,
    CASE WHEN class_uid = 6003 AND len(resources) > 0
         THEN list_transform(resources, x -> {'uid': x.ARN, 'owner': {'account': {'uid': x.accountId}}, 'type': x.type}) END AS resources,
    CASE WHEN class_uid = 3001 THEN {'name': coalesce(requestParameters->>'userName', requestParameters->>'roleName', userIdentity.userName),
                                     'uid': coalesce(responseElements->>'$.user.arn', responseElements->>'$.role.arn', userIdentity.arn)}
         WHEN class_uid = 3002 THEN {'name': requestParameters->>'roleSessionName', 'uid': coalesce(requestParameters->>'roleArn', userIdentity.arn)} END AS "user",
    CASE WHEN class_uid = 3002 THEN {'svc_name': coalesce(additionalEventData->>'LoginTo', eventSource)} END AS dst_endpoint,
    CASE WHEN class_uid = 3002 THEN (CASE additionalEventData->>'MFAUsed' WHEN 'Yes' THEN true WHEN 'No' THEN false END) END AS is_mfa,
    ${observables([
      ['actor.user.name', 'User Name', 4, 'userIdentity.userName'],
      ['src_endpoint.ip', 'IP Address', 2, 'CASE WHEN src_is_ip THEN sourceIPAddress END'],
      ['src_endpoint.domain', 'Hostname', 1, `CASE WHEN NOT src_is_ip AND contains(sourceIPAddress, '.') THEN sourceIPAddress END`],
    ])} || coalesce(list_transform(list_filter(CASE WHEN class_uid = 6003 THEN resources END, x -> x.ARN IS NOT NULL), x -> {'name': 'resources[].uid', 'type': 'Resource UID', 'type_id': 10, 'value': x.ARN}), []) AS observables,
    ${unmappedMap([
      ['readOnly', 'readOnly'],
      ['managementEvent', 'managementEvent'],
      ['recipientAccountId', 'recipientAccountId'],
      ['sharedEventID', 'sharedEventID'],
      ['tlsDetails.tlsVersion', 'tlsDetails.tlsVersion'],
      ['tlsDetails.cipherSuite', 'tlsDetails.cipherSuite'],
      ['tlsDetails.clientProvidedHostHeader', 'tlsDetails.clientProvidedHostHeader'],
      ['userIdentity.sessionContext.sessionIssuer.type', 'userIdentity.sessionContext.sessionIssuer.type'],
      ['userIdentity.sessionContext.sessionIssuer.principalId', 'userIdentity.sessionContext.sessionIssuer.principalId'],
      ['userIdentity.sessionContext.sessionIssuer.accountId', 'userIdentity.sessionContext.sessionIssuer.accountId'],
      ['userIdentity.sessionContext.sessionIssuer.userName', 'userIdentity.sessionContext.sessionIssuer.userName'],
      ['userIdentity.sessionContext.ec2RoleDelivery', 'userIdentity.sessionContext.ec2RoleDelivery'],
      ['additionalEventData', 'additionalEventData'],
      ['resources[].ARN', `CASE WHEN class_uid <> 6003 THEN array_to_string(list_transform(resources, x -> x.ARN), ',') END`],
      ['resources[].accountId', `CASE WHEN class_uid <> 6003 THEN array_to_string(list_transform(resources, x -> x.accountId), ',') END`],
      ['resources[].type', `CASE WHEN class_uid <> 6003 THEN array_to_string(list_transform(resources, x -> x.type), ',') END`],
    ])} AS unmapped,
    awsRegion AS region,
    coalesce(recipientAccountId, userIdentity.accountId) AS accountid,
    strftime(ts, '%Y%m%d') AS eventday
  FROM c
) TO ${q(out)} ${COPY_TAIL}`;
}

// ─── VPC flow logs (text, space-delimited, a header line per file) ──────────────────────────────

const VPC_TYPES = `{'version': 'INTEGER', 'account-id': 'VARCHAR', 'interface-id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR',
  'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT',
  'action': 'VARCHAR', 'log-status': 'VARCHAR', 'vpc-id': 'VARCHAR', 'subnet-id': 'VARCHAR', 'instance-id': 'VARCHAR', 'tcp-flags': 'INTEGER',
  'type': 'VARCHAR', 'pkt-srcaddr': 'VARCHAR', 'pkt-dstaddr': 'VARCHAR', 'region': 'VARCHAR', 'az-id': 'VARCHAR', 'sublocation-type': 'VARCHAR',
  'sublocation-id': 'VARCHAR', 'pkt-src-aws-service': 'VARCHAR', 'pkt-dst-aws-service': 'VARCHAR', 'flow-direction': 'VARCHAR', 'traffic-path': 'INTEGER'}`;

function vpcSql(glob: string, out: string): string {
  // Files carry different formats (their own header): union_by_name aligns the columns by name.
  return `COPY (
  WITH raw AS (
    SELECT * FROM read_csv(${q(glob)}, header = true, delim = ' ', nullstr = '-', union_by_name = true, compression = 'gzip',
                           auto_detect = false, types = ${VPC_TYPES}, filename = true)
  ), r AS (
    SELECT *, make_timestamptz("start" * 1000000) AS ts,
      coalesce(region, regexp_extract(filename, '/vpcflowlogs/([a-z0-9-]+)/', 1)) AS reg,
      CASE "flow-direction" WHEN 'ingress' THEN 1 WHEN 'egress' THEN 2 ELSE 0 END AS direction_id
    FROM raw
  )
  SELECT
    {'product': {'version': CAST(version AS VARCHAR), 'name': 'Amazon VPC', 'feature': {'name': 'Flowlogs'}, 'vendor_name': 'AWS'},
     'profiles': ['cloud', 'security_control', 'datetime'], 'version': '1.1.0'} AS metadata,
    {'account': {'uid': "account-id"}, 'region': reg, 'zone': "az-id", 'provider': 'AWS'} AS cloud,
    {'port': srcport, 'ip': coalesce("pkt-srcaddr", srcaddr), 'intermediate_ips': CASE WHEN "pkt-srcaddr" IS NOT NULL AND "pkt-srcaddr" <> srcaddr THEN [srcaddr] END,
     'interface_uid': "interface-id", 'vpc_uid': "vpc-id", 'instance_uid': "instance-id", 'subnet_uid': "subnet-id", 'svc_name': "pkt-src-aws-service"} AS src_endpoint,
    {'port': dstport, 'ip': coalesce("pkt-dstaddr", dstaddr), 'intermediate_ips': CASE WHEN "pkt-dstaddr" IS NOT NULL AND "pkt-dstaddr" <> dstaddr THEN [dstaddr] END,
     'svc_name': "pkt-dst-aws-service"} AS dst_endpoint,
    {'protocol_num': protocol, 'tcp_flags': "tcp-flags", 'protocol_ver': "type", 'boundary_id': "traffic-path",
     'direction_id': direction_id, 'direction': ['Unknown', 'Inbound', 'Outbound'][direction_id + 1]} AS connection_info,
    {'packets': packets, 'bytes': bytes} AS traffic,
    epoch_ms(ts) AS time, ts AS time_dt, ts AS start_time_dt, make_timestamptz("end" * 1000000) AS end_time_dt,
    "log-status" AS status_code,
    1 AS severity_id, 'Informational' AS severity,
    'Network Activity' AS class_name, 4001 AS class_uid, 'Network Activity' AS category_name, 4 AS category_uid,
    'Traffic' AS activity_name, 6 AS activity_id,
    CASE action WHEN 'ACCEPT' THEN 'Allowed' WHEN 'REJECT' THEN 'Denied' END AS action,
    CASE action WHEN 'ACCEPT' THEN 1 WHEN 'REJECT' THEN 2 ELSE 0 END AS action_id,
    CASE action WHEN 'ACCEPT' THEN 'Allowed' WHEN 'REJECT' THEN 'Blocked' ELSE 'Unknown' END AS disposition,
    CASE action WHEN 'ACCEPT' THEN 1 WHEN 'REJECT' THEN 2 ELSE 0 END AS disposition_id,
    400106 AS type_uid, 'Network Activity: Traffic' AS type_name,
    ${observables([
      ['dst_endpoint.ip', 'IP Address', 2, 'coalesce("pkt-dstaddr", dstaddr)'],
      ['src_endpoint.ip', 'IP Address', 2, 'coalesce("pkt-srcaddr", srcaddr)'],
      ['src_endpoint.instance_uid', 'Resource UID', 10, '"instance-id"'],
    ])} AS observables,
    ${unmappedMap([
      ['sublocation_type', '"sublocation-type"'],
      ['sublocation_id', '"sublocation-id"'],
    ])} AS unmapped,
    reg AS region, "account-id" AS accountid, strftime(ts, '%Y%m%d') AS eventday
  FROM r
) TO ${q(out)} ${COPY_TAIL}`;
}

// ─── Route 53 resolver query logs (JSON lines) ──────────────────────────────────────────────────

const R53_COLUMNS = `{version: 'VARCHAR', account_id: 'VARCHAR', region: 'VARCHAR', vpc_id: 'VARCHAR', query_timestamp: 'VARCHAR',
  query_name: 'VARCHAR', query_type: 'VARCHAR', query_class: 'VARCHAR', rcode: 'VARCHAR',
  answers: 'STRUCT(Rdata VARCHAR, Type VARCHAR, Class VARCHAR)[]', srcaddr: 'VARCHAR', srcport: 'VARCHAR', transport: 'VARCHAR',
  srcids: 'STRUCT(instance VARCHAR, resolver_endpoint VARCHAR, resolver_network_interface VARCHAR)',
  firewall_rule_action: 'VARCHAR', firewall_rule_group_id: 'VARCHAR', firewall_domain_list_id: 'VARCHAR'}`;

function route53Sql(glob: string, out: string): string {
  return `COPY (
  WITH r AS (
    SELECT *, CAST(query_timestamp AS TIMESTAMPTZ) AS ts,
      CASE rcode WHEN 'NOERROR' THEN 0 WHEN 'FORMERR' THEN 1 WHEN 'SERVFAIL' THEN 2 WHEN 'NXDOMAIN' THEN 3 WHEN 'NOTIMP' THEN 4 WHEN 'REFUSED' THEN 5 ELSE 99 END AS rcode_id,
      CASE firewall_rule_action WHEN 'ALLOW' THEN 1 WHEN 'BLOCK' THEN 2 WHEN 'ALERT' THEN 19 ELSE 0 END AS disposition_id
    FROM read_json(${q(glob)}, format = 'newline_delimited', compression = 'gzip', columns = ${R53_COLUMNS})
  )
  SELECT
    4003 AS class_uid, 'DNS Activity' AS class_name, 4 AS category_uid, 'Network Activity' AS category_name,
    6 AS activity_id, 'Traffic' AS activity_name, 400306 AS type_uid, 'DNS Activity: Traffic' AS type_name,
    1 AS severity_id, 'Informational' AS severity,
    epoch_ms(ts) AS time,
    {'version': '1.1.0', 'profiles': ['cloud', 'security_control', 'datetime'],
     'product': {'name': 'Route 53', 'vendor_name': 'AWS', 'feature': {'name': 'Resolver Query Logs'}, 'version': version}} AS metadata,
    {'provider': 'AWS', 'region': region, 'account': {'uid': account_id}} AS cloud,
    {'vpc_uid': vpc_id, 'ip': srcaddr, 'port': TRY_CAST(srcport AS INTEGER), 'instance_uid': srcids.instance,
     'uid': srcids.resolver_endpoint, 'interface_uid': srcids.resolver_network_interface} AS src_endpoint,
    {'direction_id': 0, 'direction': 'Unknown', 'protocol_name': transport} AS connection_info,
    {'hostname': query_name, 'type': query_type, 'class': query_class} AS query,
    disposition_id, CASE disposition_id WHEN 1 THEN 'Allowed' WHEN 2 THEN 'Blocked' WHEN 19 THEN 'Alert' ELSE 'Unknown' END AS disposition,
    ts AS time_dt,
    CASE WHEN firewall_rule_action = 'BLOCK' THEN 2 ELSE 1 END AS action_id,
    CASE WHEN firewall_rule_action = 'BLOCK' THEN 'Denied' ELSE 'Allowed' END AS action,
    list_transform(answers, a -> {'type': a.Type, 'rdata': a.Rdata, 'class': a.Class}) AS answers,
    rcode_id, ['NoError', 'FormError', 'ServError', 'NXDomain', 'NotImp', 'Refused'][rcode_id + 1] AS rcode,
    CASE WHEN firewall_rule_group_id IS NOT NULL THEN {'uid': firewall_rule_group_id} END AS firewall_rule,
    list_transform(list_filter(answers, a -> a.Type IN ('A', 'AAAA')), a -> {'name': 'answers[].rdata', 'type': 'IP Address', 'type_id': 2, 'value': a.Rdata})
      || ${observables([
        ['src_endpoint.instance_uid', 'Resource UID', 10, 'srcids.instance'],
        ['src_endpoint.ip', 'IP Address', 2, 'srcaddr'],
        ['query.hostname', 'Hostname', 1, 'query_name'],
      ])} AS observables,
    ${unmappedMap([['firewall_domain_list_id', 'firewall_domain_list_id']])} AS unmapped,
    region, account_id AS accountid, strftime(ts, '%Y%m%d') AS eventday
  FROM r
) TO ${q(out)} ${COPY_TAIL}`;
}

// ─── Security Hub findings (EventBridge events as JSON lines) ───────────────────────────────────

const FINDING = `STRUCT(
  SchemaVersion VARCHAR, Id VARCHAR, ProductArn VARCHAR, ProductName VARCHAR, CompanyName VARCHAR, GeneratorId VARCHAR,
  AwsAccountId VARCHAR, Region VARCHAR, Types VARCHAR[], CreatedAt VARCHAR, UpdatedAt VARCHAR, FirstObservedAt VARCHAR, LastObservedAt VARCHAR,
  Severity STRUCT(Label VARCHAR, Original VARCHAR), Title VARCHAR, Description VARCHAR, RecordState VARCHAR,
  Workflow STRUCT(Status VARCHAR), WorkflowState VARCHAR,
  Remediation STRUCT(Recommendation STRUCT(Text VARCHAR, Url VARCHAR)),
  ProductFields MAP(VARCHAR, VARCHAR),
  Resources STRUCT(Type VARCHAR, Id VARCHAR, Partition VARCHAR, Region VARCHAR, Details JSON)[],
  Compliance STRUCT(Status VARCHAR, SecurityControlId VARCHAR, AssociatedStandards STRUCT(StandardsId VARCHAR)[]),
  Vulnerabilities STRUCT(Id VARCHAR,
    VulnerablePackages STRUCT(Name VARCHAR, Version VARCHAR, Release VARCHAR, Architecture VARCHAR, PackageManager VARCHAR, Epoch VARCHAR,
      FixedInVersion VARCHAR, Remediation VARCHAR)[],
    Cvss STRUCT(Version VARCHAR, BaseScore DOUBLE, BaseVector VARCHAR, Source VARCHAR)[],
    Vendor STRUCT(Name VARCHAR, Url VARCHAR, VendorSeverity VARCHAR), ReferenceUrls VARCHAR[], FixAvailable VARCHAR, ExploitAvailable VARCHAR)[],
  Network STRUCT(Direction VARCHAR, Protocol VARCHAR, SourceIpV4 VARCHAR, SourcePort INTEGER, DestinationIpV4 VARCHAR, DestinationPort INTEGER))`;

function securityHubSql(glob: string, out: string): string {
  return `COPY (
  WITH ev AS (
    SELECT unnest(detail.findings) AS f
    FROM read_json(${q(glob)}, format = 'newline_delimited', compression = 'gzip',
                   columns = {version: 'VARCHAR', id: 'VARCHAR', "detail-type": 'VARCHAR', source: 'VARCHAR', account: 'VARCHAR', time: 'VARCHAR',
                              region: 'VARCHAR', detail: 'STRUCT(findings ${FINDING.replaceAll("'", "''")}[])'})
  ), r AS (
    SELECT f,
      CASE WHEN f.Compliance IS NOT NULL THEN 2003 WHEN f.Vulnerabilities IS NOT NULL THEN 2002 ELSE 2004 END AS class_uid,
      CAST(f.UpdatedAt AS TIMESTAMPTZ) AS ts,
      CASE f.Severity.Label WHEN 'INFORMATIONAL' THEN 1 WHEN 'LOW' THEN 2 WHEN 'MEDIUM' THEN 3 WHEN 'HIGH' THEN 4 WHEN 'CRITICAL' THEN 5 ELSE 0 END AS severity_id,
      CASE f.Workflow.Status WHEN 'NEW' THEN 1 WHEN 'NOTIFIED' THEN 2 WHEN 'SUPPRESSED' THEN 3 WHEN 'RESOLVED' THEN 4 ELSE 0 END AS status_id
    FROM ev
  )
  SELECT
    {'version': '1.1.0', 'profiles': ['cloud', 'datetime'], 'log_version': f.SchemaVersion,
     'product': {'name': f.ProductName, 'uid': f.ProductArn, 'vendor_name': f.CompanyName, 'feature': {'uid': f.GeneratorId}}} AS metadata,
    epoch_ms(ts) AS time, ts AS time_dt,
    class_uid, CASE class_uid WHEN 2003 THEN 'Compliance Finding' WHEN 2002 THEN 'Vulnerability Finding' ELSE 'Detection Finding' END AS class_name,
    2 AS category_uid, 'Findings' AS category_name, 2 AS activity_id, 'Update' AS activity_name,
    class_uid * 100 + 2 AS type_uid,
    CASE class_uid WHEN 2003 THEN 'Compliance Finding: Update' WHEN 2002 THEN 'Vulnerability Finding: Update' ELSE 'Detection Finding: Update' END AS type_name,
    severity_id, ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'][severity_id + 1] AS severity,
    status_id, ['Unknown', 'New', 'In Progress', 'Suppressed', 'Resolved'][status_id + 1] AS status,
    {'account': {'uid': f.AwsAccountId}, 'provider': 'AWS', 'region': f.Region} AS cloud,
    {'uid': f.Id, 'title': f.Title, 'desc': f.Description, 'types': f.Types,
     'created_time_dt': CAST(f.CreatedAt AS TIMESTAMPTZ), 'modified_time_dt': ts,
     'first_seen_time_dt': CAST(f.FirstObservedAt AS TIMESTAMPTZ), 'last_seen_time_dt': CAST(f.LastObservedAt AS TIMESTAMPTZ)} AS finding_info,
    list_transform(f.Resources, x -> {'cloud_partition': x.Partition, 'data': CAST(x.Details AS VARCHAR), 'region': x.Region, 'type': x.Type, 'uid': x.Id}) AS resources,
    CASE WHEN f.Compliance IS NOT NULL THEN {'control': f.Compliance.SecurityControlId,
      'standards': list_transform(f.Compliance.AssociatedStandards, s -> s.StandardsId), 'status': f.Compliance.Status} END AS compliance,
    CASE WHEN f.Remediation IS NOT NULL THEN {'desc': f.Remediation.Recommendation.Text, 'references': [f.Remediation.Recommendation.Url]} END AS remediation,
    list_transform(f.Vulnerabilities, v -> {
      'affected_packages': list_transform(v.VulnerablePackages, p -> {'architecture': p.Architecture, 'epoch': TRY_CAST(p.Epoch AS INTEGER),
        'fixed_in_version': p.FixedInVersion, 'name': p.Name, 'package_manager': p.PackageManager, 'release': p.Release,
        'remediation': {'desc': p.Remediation}, 'version': p.Version}),
      'cve': {'cvss': list_transform(v.Cvss, c -> {'base_score': c.BaseScore, 'vector_string': c.BaseVector, 'version': c.Version}),
              'references': [v.Vendor.Url], 'uid': v.Id},
      'is_exploit_available': v.ExploitAvailable = 'YES', 'is_fix_available': v.FixAvailable = 'YES',
      'references': v.ReferenceUrls, 'vendor_name': v.Vendor.Name}) AS vulnerabilities,
    list_transform(f.Resources, x -> {'name': 'resources[].uid', 'type': 'Resource UID', 'type_id': 10, 'value': x.Id}) AS observables,
    map_concat(
      map_from_entries(list_transform(map_entries(f.ProductFields), e -> {'key': 'ProductFields.' || e.key, 'value': e.value})),
      ${unmappedMap([
        ['Severity.Original', 'f.Severity.Original'],
        ['RecordState', 'f.RecordState'],
        ['WorkflowState', 'f.WorkflowState'],
        ['Network.Direction', 'f.Network.Direction'],
        ['Network.Protocol', 'f.Network.Protocol'],
        ['Network.SourceIpV4', 'f.Network.SourceIpV4'],
        ['Network.SourcePort', 'f.Network.SourcePort'],
        ['Network.DestinationIpV4', 'f.Network.DestinationIpV4'],
        ['Network.DestinationPort', 'f.Network.DestinationPort'],
      ])}) AS unmapped,
    f.Region AS region, f.AwsAccountId AS accountid, strftime(ts, '%Y%m%d') AS eventday
  FROM r
) TO ${q(out)} ${COPY_TAIL}`;
}

// ─── EKS audit (CloudWatch Logs subscription payloads back to back, Firehose style) ─────────────

const EKS_EVENT = `{"level": "VARCHAR", "auditID": "VARCHAR", "stage": "VARCHAR", "requestURI": "VARCHAR", "verb": "VARCHAR",
  "user": {"username": "VARCHAR", "uid": "VARCHAR", "groups": ["VARCHAR"], "extra": {"accessKeyId": ["VARCHAR"], "arn": ["VARCHAR"],
    "canonicalArn": ["VARCHAR"], "principalId": ["VARCHAR"], "sessionName": ["VARCHAR"]}},
  "sourceIPs": ["VARCHAR"], "userAgent": "VARCHAR", "kind": "VARCHAR", "apiVersion": "VARCHAR",
  "objectRef": {"resource": "VARCHAR", "namespace": "VARCHAR", "name": "VARCHAR", "apiVersion": "VARCHAR"},
  "responseStatus": {"status": "VARCHAR", "message": "VARCHAR", "reason": "VARCHAR", "code": "INTEGER"},
  "requestReceivedTimestamp": "VARCHAR", "stageTimestamp": "VARCHAR",
  "annotations": "MAP(VARCHAR, VARCHAR)"}`;

function eksSql(glob: string, out: string, region: string): string {
  return `COPY (
  WITH p AS (
    SELECT owner, unnest(logEvents) AS le
    FROM read_json(${q(glob)}, format = 'unstructured', compression = 'gzip', maximum_object_size = 268435456,
                   columns = {messageType: 'VARCHAR', owner: 'VARCHAR', logGroup: 'VARCHAR', logStream: 'VARCHAR',
                              logEvents: 'STRUCT(id VARCHAR, "timestamp" BIGINT, message VARCHAR)[]'})
    WHERE messageType = 'DATA_MESSAGE'
  ), e AS (
    SELECT owner, json_transform(le.message, ${q(EKS_EVENT)}) AS a FROM p
  ), r AS (
    SELECT owner, a, CAST(a.requestReceivedTimestamp AS TIMESTAMPTZ) AS ts,
      CASE a.verb WHEN 'create' THEN 1 WHEN 'get' THEN 2 WHEN 'list' THEN 2 WHEN 'watch' THEN 2 WHEN 'update' THEN 3 WHEN 'patch' THEN 3
                  WHEN 'delete' THEN 4 WHEN 'deletecollection' THEN 4 ELSE 99 END AS activity_id,
      regexp_extract(a.user.username, '^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\\d{12}):', 1) AS arn_account
    FROM e
  )
  SELECT
    {'version': '1.1.0', 'profiles': ['cloud', 'datetime'],
     'product': {'name': 'Amazon EKS', 'vendor_name': 'AWS', 'feature': {'name': 'Elastic Kubernetes Service'}, 'version': a.apiVersion},
     'log_level': a.level} AS metadata,
    epoch_ms(ts) AS time, ts AS time_dt,
    6003 AS class_uid, 'API Activity' AS class_name, 6 AS category_uid, 'Application Activity' AS category_name,
    activity_id, ['Unknown', 'Create', 'Read', 'Update', 'Delete'][activity_id + 1] AS activity_name,
    600300 + activity_id AS type_uid, 'API Activity: ' || ['Unknown', 'Create', 'Read', 'Update', 'Delete'][activity_id + 1] AS type_name,
    1 AS severity_id, 'Informational' AS severity,
    {'operation': a.verb, 'version': a.objectRef.apiVersion, 'request': {'uid': a.auditID},
     'response': {'code': a.responseStatus.code, 'message': a.responseStatus.message, 'error': a.responseStatus.reason}} AS api,
    {'user': {'name': a.user.username, 'uid': a.user.uid, 'groups': list_transform(a.user.groups, g -> {'name': g}), 'type_id': 0},
     'session': CASE WHEN a.user.extra IS NOT NULL THEN {'credential_uid': a.user.extra.accessKeyId[1], 'issuer': a.user.extra.canonicalArn[1],
                                                         'uid': a.user.extra.sessionName[1]} END} AS actor,
    {'ip': a.sourceIPs[1]} AS src_endpoint,
    {'provider': 'AWS', 'region': ${q(region)}, 'account': {'uid': CASE WHEN arn_account <> '' THEN a.user.username ELSE owner END}} AS cloud,
    ${observables([
      ['actor.user.name', 'User Name', 4, 'a.user.username'],
      ['src_endpoint.ip', 'IP Address', 2, 'a.sourceIPs[1]'],
      ['http_request.url.path', 'URL String', 6, 'a.requestURI'],
    ])} AS observables,
    ts AS start_time_dt, a.stage AS message,
    {'url': {'path': a.requestURI}, 'user_agent': a.userAgent} AS http_request,
    CASE WHEN a.objectRef.name IS NOT NULL THEN [{'name': a.objectRef.name, 'namespace': a.objectRef.namespace, 'type': a.objectRef.resource}] END AS resources,
    map_concat(
      map_from_entries(list_transform(map_entries(a.annotations), e -> {'key': 'annotations.' || e.key, 'value': e.value})),
      ${unmappedMap([
        ['kind', 'a.kind'],
        ['user.extra.principalId[]', `array_to_string(a.user.extra.principalId, ',')`],
        ['sourceIPs[]', `array_to_string(a.sourceIPs, ',')`],
        ['objectRef.resource', 'CASE WHEN a.objectRef.name IS NULL THEN a.objectRef.resource END'],
        ['objectRef.namespace', 'CASE WHEN a.objectRef.name IS NULL THEN a.objectRef.namespace END'],
      ])}) AS unmapped,
    ${q(region)} AS region, coalesce(NULLIF(arn_account, ''), owner) AS accountid, strftime(ts, '%Y%m%d') AS eventday
  FROM r
) TO ${q(out)} ${COPY_TAIL}`;
}

/** Region given to EKS audit inputs (their payloads name no Region; Security Lake takes it from where it collects). */
export const EKS_REGION = 'us-east-1';

/** The DuckDB job for one source: reads every gzip file under `inputDir`, writes partitioned ZSTD Parquet under `out`. */
export function duckdbSql(source: SampleSource, inputDir: string, out: string): string {
  switch (source) {
    case 'cloudtrail':
      return cloudTrailSql(`${inputDir}/**/*.json.gz`, out);
    case 'vpc_flow':
      return vpcSql(`${inputDir}/**/*.log.gz`, out);
    case 'route53':
      return route53Sql(`${inputDir}/**/*.log.gz`, out);
    case 'security_hub':
      return securityHubSql(`${inputDir}/**/*.json.gz`, out);
    case 'eks_audit':
      return eksSql(`${inputDir}/**/*.gz`, out, EKS_REGION);
  }
}
