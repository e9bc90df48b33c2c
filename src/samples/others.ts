/**
 * Synthetic VPC Flow Logs, Route 53 resolver query logs, Security Hub findings and EKS audit events, each in
 * the form AWS delivers to S3 (gzip), spread over regions, accounts and days.
 */
import { gzipSync } from 'node:zlib';
import type { Random } from './random.js';
import type { SampleFile, SampleSpread } from './spread.js';
import { fileBatches } from './spread.js';

type Json = Record<string, unknown>;

// ─── VPC Flow Logs ──────────────────────────────────────────────────────────
/** Flow-log formats in AWS's field names: the v2 default, a v5 custom order, and a v3 subset. */
export const VPC_FORMATS: readonly (readonly string[])[] = [
  ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'],
  ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
    'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'region', 'az-id', 'sublocation-type', 'sublocation-id',
    'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  ['version', 'vpc-id', 'subnet-id', 'instance-id', 'interface-id', 'account-id', 'type', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'pkt-srcaddr', 'pkt-dstaddr',
    'protocol', 'bytes', 'packets', 'start', 'end', 'action', 'tcp-flags', 'log-status'],
];

function vpcValue(r: Random, field: string, acct: string, region: string, start: number, status: string, action: string): string {
  const nodata = status !== 'OK';
  switch (field) {
    case 'version': return '5';
    case 'account-id': return acct;
    case 'interface-id': return `eni-0${r.hex(16)}`;
    case 'srcaddr': case 'pkt-srcaddr': return nodata ? '-' : r.chance(0.5) ? r.ipv4(true) : r.ipv4();
    case 'dstaddr': case 'pkt-dstaddr': return nodata ? '-' : r.chance(0.6) ? r.ipv4(true) : r.ipv4();
    case 'srcport': return nodata ? '-' : String(r.chance(0.5) ? r.int(1024, 65535) : r.pick([443, 80, 22, 53, 3306]));
    case 'dstport': return nodata ? '-' : String(r.chance(0.6) ? r.pick([443, 80, 22, 53, 3306, 5432]) : r.int(1024, 65535));
    case 'protocol': return nodata ? '-' : String(r.pick([6, 6, 6, 17, 1]));
    case 'packets': return nodata ? '-' : String(r.int(1, 5000));
    case 'bytes': return nodata ? '-' : String(r.int(40, 5_000_000));
    case 'start': return String(Math.floor(start / 1000));
    case 'end': return String(Math.floor(start / 1000) + r.int(1, 60));
    case 'action': return nodata ? '-' : action;
    case 'log-status': return status;
    case 'vpc-id': return `vpc-0${r.hex(16)}`;
    case 'subnet-id': return `subnet-0${r.hex(16)}`;
    case 'instance-id': return r.chance(0.8) ? `i-0${r.hex(16)}` : '-';
    case 'tcp-flags': return nodata ? '-' : String(r.pick([0, 2, 3, 18, 19]));
    case 'type': return r.chance(0.9) ? 'IPv4' : 'IPv6';
    case 'region': return region;
    case 'az-id': return `${region.slice(0, 2)}${region.split('-')[1]!.slice(0, 1)}${region.slice(-1)}-az${r.int(1, 3)}`;
    case 'sublocation-type': case 'sublocation-id': return '-';
    case 'pkt-src-aws-service': case 'pkt-dst-aws-service': return r.chance(0.1) ? r.pick(['S3', 'DYNAMODB', 'EC2', 'AMAZON']) : '-';
    case 'flow-direction': return r.pick(['ingress', 'egress']);
    case 'traffic-path': return nodata || r.chance(0.5) ? '-' : String(r.int(1, 8));
    default: return '-';
  }
}

/** VPC flow-log text files with a header line (as delivered to S3), `perFile` lines each. */
export function* vpcFlowFiles(r: Random, spread: SampleSpread, records: number, perFile = 2000): Generator<SampleFile> {
  for (const p of fileBatches(r, spread, records, perFile)) {
    const { count, base } = p;
    const format = VPC_FORMATS[p.n % VPC_FORMATS.length]!;
    const lines = [format.join(' ')];
    for (let i = 0; i < count; i++) {
      const status = r.weighted([['OK', 97], ['NODATA', 2], ['SKIPDATA', 1]] as const);
      const action = r.chance(0.8) ? 'ACCEPT' : 'REJECT';
      const start = base + r.int(0, 3_600_000);
      lines.push(format.map((f) => vpcValue(r, f, p.account, p.region, start, status, action)).join(' '));
    }
    const d = new Date(base).toISOString();
    const name = `AWSLogs/${p.account}/vpcflowlogs/${p.region}/${d.slice(0, 10).replaceAll('-', '/')}/${p.account}_vpcflowlogs_${p.region}_fl-0${r.hex(16)}_${d.slice(0, 16).replace(/[-:]/g, '')}Z_${r.hex(8)}.log.gz`;
    yield { name, bytes: gzipSync(lines.join('\n') + '\n'), records: count };
  }
}

// ─── Route 53 resolver query logs ───────────────────────────────────────────
const DOMAINS = ['example.com.', 'api.internal.corp.', 's3.amazonaws.com.', 'github.com.', 'updates.ubuntu.com.', 'evil-c2.example.net.', 'login.microsoftonline.com.'];

function route53Record(r: Random, time: number, region: string, acct: string): Json {
  const qtype = r.weighted([['A', 6], ['AAAA', 2], ['CNAME', 1], ['PTR', 1], ['TXT', 1]] as const);
  const rcode = r.weighted([['NOERROR', 85], ['NXDOMAIN', 10], ['SERVFAIL', 3], ['REFUSED', 2]] as const);
  const name = `${r.pick(['www', 'api', 'cdn', 'mail', r.hex(6)])}.${r.pick(DOMAINS)}`;
  const rec: Json = {
    version: '1.100000',
    account_id: acct,
    region,
    vpc_id: `vpc-0${r.hex(16)}`,
    query_timestamp: new Date(time).toISOString().replace('.000Z', 'Z'),
    query_name: name,
    query_type: qtype,
    query_class: 'IN',
    rcode,
    answers: rcode === 'NOERROR'
      ? [{ Rdata: qtype === 'AAAA' ? `2600:1f18:${r.hex(4)}::${r.hex(4)}` : qtype === 'CNAME' ? `edge.${name}` : r.ipv4(), Type: qtype === 'PTR' || qtype === 'TXT' ? 'A' : qtype, Class: 'IN' }]
      : [],
    srcaddr: r.ipv4(true),
    srcport: String(r.int(1024, 65535)),
    transport: r.chance(0.9) ? 'UDP' : 'TCP',
    srcids: r.chance(0.7) ? { instance: `i-0${r.hex(16)}` } : { resolver_endpoint: `rslvr-in-${r.hex(17)}`, resolver_network_interface: `rni-${r.hex(17)}` },
  };
  if (r.chance(0.1)) {
    rec.firewall_rule_action = r.pick(['ALERT', 'BLOCK', 'ALLOW']);
    rec.firewall_rule_group_id = `rslvr-frg-${r.hex(15)}`;
    rec.firewall_domain_list_id = `rslvr-fdl-${r.hex(15)}`;
  }
  return rec;
}

/** Route 53 query logs as JSON lines (gzip), as delivered to S3. */
export function* route53Files(r: Random, spread: SampleSpread, records: number, perFile = 2000): Generator<SampleFile> {
  yield* jsonLinesFiles(r, spread, records, perFile, route53Record, (p, d) => `AWSLogs/${p.account}/vpcdnsquerylogs/vpc-0${r.hex(16)}/${d.slice(0, 10).replaceAll('-', '/')}/vpc-0${r.hex(16)}_vpcdnsquerylogs_${p.account}_${d.slice(0, 16).replace(/[-:]/g, '')}Z_${r.hex(8)}.log.gz`);
}

// ─── Security Hub findings (ASFF) ───────────────────────────────────────────
function finding(r: Random, time: number, region: string, acct: string): Json {
  const created = new Date(time - r.int(0, 5) * 86_400_000).toISOString();
  const updated = new Date(time).toISOString();
  const severity = r.weighted([['INFORMATIONAL', 2], ['LOW', 3], ['MEDIUM', 3], ['HIGH', 2], ['CRITICAL', 1]] as const);
  const kind = r.weighted([['control', 6], ['inspector', 2], ['guardduty', 2]] as const);
  const base: Json = {
    SchemaVersion: '2018-10-08',
    Id: '',
    ProductArn: '',
    GeneratorId: '',
    AwsAccountId: acct,
    Region: region,
    Types: [] as string[],
    CreatedAt: created,
    UpdatedAt: updated,
    FirstObservedAt: created,
    LastObservedAt: updated,
    Severity: { Label: severity, Original: severity },
    Title: '',
    Description: '',
    RecordState: r.chance(0.9) ? 'ACTIVE' : 'ARCHIVED',
    Workflow: { Status: r.pick(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']) },
    WorkflowState: 'NEW',
  };
  if (kind === 'control') {
    const control = r.pick(['S3.1', 'IAM.6', 'EC2.19', 'CloudTrail.1', 'RDS.3']);
    Object.assign(base, {
      Id: `arn:aws:securityhub:${region}:${acct}:security-control/${control}/finding/${r.uuid()}`,
      ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`,
      ProductName: 'Security Hub', CompanyName: 'AWS',
      GeneratorId: `security-control/${control}`,
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
      Title: `${control} resources should be configured securely`,
      Description: `This control checks whether ${control} is configured according to AWS best practices.`,
      Remediation: { Recommendation: { Text: 'For information on how to correct this issue, consult the documentation.', Url: `https://docs.aws.amazon.com/console/securityhub/${control}/remediation` } },
      ProductFields: { RelatedAWSResources: '0/name', 'aws/securityhub/ProductName': 'Security Hub', 'aws/securityhub/CompanyName': 'AWS', 'aws/securityhub/FindingId': `arn:aws:securityhub:${region}::product/aws/securityhub/${r.uuid()}` },
      Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::bucket-${r.hex(6)}`, Partition: 'aws', Region: region, Details: { AwsS3Bucket: { OwnerId: r.hex(64), CreatedAt: created } } }],
      Compliance: { Status: r.pick(['PASSED', 'FAILED', 'FAILED', 'WARNING']), SecurityControlId: control, AssociatedStandards: [{ StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' }] },
    });
  } else if (kind === 'inspector') {
    const cve = `CVE-202${r.int(0, 4)}-${r.int(1000, 49999)}`;
    Object.assign(base, {
      Id: `arn:aws:inspector2:${region}:${acct}:finding/${r.hex(32)}`,
      ProductArn: `arn:aws:securityhub:${region}::product/aws/inspector`,
      ProductName: 'Inspector', CompanyName: 'Amazon',
      GeneratorId: 'AWSInspector',
      Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
      Title: `${cve} - openssl`,
      Description: `A vulnerability in openssl (${cve}).`,
      ProductFields: { 'aws/inspector/FindingStatus': 'ACTIVE', 'aws/inspector/inspectorScore': '7.5', 'aws/inspector/resources/1/resourceDetails/awsEc2InstanceDetails/platform': 'AMAZON_LINUX_2', 'aws/securityhub/ProductName': 'Inspector', 'aws/securityhub/CompanyName': 'Amazon' },
      Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${region}:${acct}:instance/i-0${r.hex(16)}`, Partition: 'aws', Region: region }],
      Vulnerabilities: [{ Id: cve, VulnerablePackages: [{ Name: 'openssl', Version: '1.0.2k', Release: '24.amzn2.0.4', Architecture: 'X86_64', PackageManager: 'OS', Epoch: '1', FixedInVersion: '1:1.0.2k-24.amzn2.0.6', Remediation: 'yum update openssl' }],
        Cvss: [{ Version: '3.1', BaseScore: 7.5, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', Source: 'NVD' }, { Version: '2.0', BaseScore: 5.0, BaseVector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', Source: 'NVD' }],
        Vendor: { Name: 'NVD', Url: `https://nvd.nist.gov/vuln/detail/${cve}`, VendorSeverity: 'HIGH' }, ReferenceUrls: ['https://www.openssl.org/news/secadv/'], FixAvailable: 'YES', ExploitAvailable: 'NO' }],
    });
  } else {
    Object.assign(base, {
      Id: `arn:aws:guardduty:${region}:${acct}:detector/${r.hex(32)}/finding/${r.hex(32)}`,
      ProductArn: `arn:aws:securityhub:${region}::product/aws/guardduty`,
      ProductName: 'GuardDuty', CompanyName: 'Amazon',
      GeneratorId: `arn:aws:guardduty:${region}:${acct}:detector/${r.hex(32)}`,
      Types: ['TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce'],
      Title: `${r.ipv4()} is performing SSH brute force attacks against i-0${r.hex(16)}.`,
      Description: 'An EC2 instance is the target of SSH brute force attacks.',
      ProductFields: { 'aws/guardduty/service/action/actionType': 'NETWORK_CONNECTION', 'aws/guardduty/service/count': String(r.int(1, 500)), 'aws/securityhub/ProductName': 'GuardDuty', 'aws/securityhub/CompanyName': 'Amazon' },
      Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${region}:${acct}:instance/i-0${r.hex(16)}`, Partition: 'aws', Region: region, Details: { AwsEc2Instance: { Type: 't3.micro', ImageId: `ami-0${r.hex(16)}`, IpV4Addresses: [r.ipv4(true)] } } }],
      Network: { Direction: 'IN', Protocol: 'TCP', SourceIpV4: r.ipv4(), SourcePort: r.int(1024, 65535), DestinationIpV4: r.ipv4(true), DestinationPort: 22 },
    });
  }
  return base;
}

/** Security Hub findings as EventBridge "Security Hub Findings - Imported" events, as JSON lines (gzip). */
export function* securityHubFiles(r: Random, spread: SampleSpread, records: number, perFile = 500): Generator<SampleFile> {
  yield* jsonLinesFiles(r, spread, records, perFile, (rr, time, region, acct) => ({
    version: '0', id: rr.uuid(), 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', account: acct, time: new Date(time).toISOString(), region,
    resources: [], detail: { findings: [finding(rr, time, region, acct)] },
  }), (p, d) => `securityhub/${p.account}/${p.region}/${d.slice(0, 10)}/findings-${r.hex(8)}.json.gz`);
}

// ─── EKS audit ──────────────────────────────────────────────────────────────
function eksAudit(r: Random, time: number, _region: string, acct: string): Json {
  const verb = r.weighted([['get', 8], ['list', 6], ['watch', 4], ['create', 2], ['update', 2], ['patch', 2], ['delete', 1], ['deletecollection', 0.2]] as const);
  const resource = r.pick(['pods', 'deployments', 'configmaps', 'secrets', 'nodes', 'leases', 'serviceaccounts']);
  const ns = r.pick(['default', 'kube-system', 'payments', 'monitoring']);
  const ts = new Date(time).toISOString().replace('Z', '') + String(r.int(100, 999)) + 'Z';
  const role = r.pick(['eks-node-role', 'admin-role', 'ci-deployer']);
  const session = `i-0${r.hex(16)}`;
  const user = r.chance(0.6)
    ? { username: `arn:aws:sts::${acct}:assumed-role/${role}/${session}`, uid: `aws-iam-authenticator:${acct}:AROA${r.upperAlnum(17)}`, groups: ['system:authenticated'],
        extra: { accessKeyId: [`ASIA${r.upperAlnum(16)}`], arn: [`arn:aws:sts::${acct}:assumed-role/${role}/${session}`], canonicalArn: [`arn:aws:iam::${acct}:role/${role}`], principalId: [`AROA${r.upperAlnum(17)}`], sessionName: [session] } }
    : { username: r.pick(['system:serviceaccount:kube-system:coredns', 'eks:k8s-metrics', 'system:kube-scheduler', 'system:node:ip-10-0-1-23.ec2.internal']), groups: ['system:authenticated'] };
  const code = r.weighted([[200, 90], [201, 4], [403, 3], [404, 3]] as const);
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: r.pick(['Metadata', 'Request', 'RequestResponse']), auditID: r.uuid(), stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${ns}/${resource}${verb === 'list' || verb === 'watch' ? '?limit=500' : `/${resource.slice(0, -1)}-${r.hex(5)}`}`,
    verb, user, sourceIPs: [r.ipv4(true)], userAgent: r.pick(['kubectl/v1.29.0 (linux/amd64) kubernetes/3f7a50f', 'kube-scheduler/v1.29.1 (linux/amd64)', 'coredns/v1.11.1']),
    objectRef: { resource, namespace: ns, ...(verb !== 'list' && verb !== 'watch' ? { name: `${resource.slice(0, -1)}-${r.hex(5)}` } : {}), apiVersion: 'v1' },
    responseStatus: code >= 400 ? { metadata: {}, status: 'Failure', message: code === 403 ? 'forbidden' : 'not found', reason: code === 403 ? 'Forbidden' : 'NotFound', code } : { metadata: {}, code },
    requestReceivedTimestamp: ts, stageTimestamp: ts,
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
  };
}

/**
 * EKS audit events as EKS delivers them to S3: CloudWatch Logs subscription payloads written by Firehose
 * (decoded JSON documents back to back, gzip). The payload names the account (`owner`) but not the Region:
 * Security Lake takes the Region from where it collects, so ingest these with `--region`.
 */
export function* eksAuditFiles(r: Random, spread: SampleSpread, records: number, perFile = 2000): Generator<SampleFile> {
  for (const p of fileBatches(r, spread, records, perFile)) {
    const { count, base } = p;
    const cluster = `cluster-${p.account.slice(-4)}`;
    const payloads: string[] = [];
    for (let i = 0; i < count; i += 100) {
      const logEvents = [];
      for (let j = i; j < Math.min(count, i + 100); j++) {
        const t = base + r.int(0, 3_600_000);
        logEvents.push({ id: `${t}${r.int(10000, 99999)}`, timestamp: t, message: JSON.stringify(eksAudit(r, t, p.region, p.account)) });
      }
      payloads.push(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: p.account, logGroup: `/aws/eks/${cluster}/cluster`, logStream: `kube-apiserver-audit-${r.hex(32)}`, subscriptionFilters: ['to-firehose'], logEvents }));
    }
    const d = new Date(base).toISOString();
    yield { name: `eks-audit/${cluster}/${d.slice(0, 13).replace(/[-T]/g, '/')}/eks-audit-firehose-1-${d.slice(0, 19).replace(/[-:T]/g, '-')}-${r.uuid()}.gz`, bytes: gzipSync(payloads.join('')), records: count };
  }
}

// ─── shared ─────────────────────────────────────────────────────────────────
function* jsonLinesFiles(
  r: Random,
  spread: SampleSpread,
  records: number,
  perFile: number,
  make: (r: Random, time: number, region: string, acct: string) => Json,
  key: (p: { region: string; account: string }, isoDay: string) => string,
): Generator<SampleFile> {
  for (const p of fileBatches(r, spread, records, perFile)) {
    const { count, base } = p;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(JSON.stringify(make(r, base + r.int(0, 3_600_000), p.region, p.account)));
    yield { name: key(p, new Date(base).toISOString()), bytes: gzipSync(lines.join('\n') + '\n'), records: count };
  }
}
