/**
 * Synthetic CloudTrail S3 log objects with the variety of real trails: ~25 services/event names with skewed
 * weights, all identity types, nested and large request/response bodies, ~5% errors, and S3/Lambda data events
 * (plus DynamoDB data events, which no Security Lake source takes) mixed in.
 */
import { gzipSync } from 'node:zlib';
import type { Random } from './random.js';
import type { SampleFile, SampleSpread } from './spread.js';
import { fileBatches } from './spread.js';

type Json = Record<string, unknown>;

interface EventKind {
  source: string;
  name: string;
  readOnly: boolean;
  weight: number;
  category?: 'Data';
  request?: (r: Random, acct: string, region: string) => Json | null;
  response?: (r: Random, acct: string, region: string) => Json | null;
  resources?: (r: Random, acct: string, region: string) => Json[];
  eventType?: string;
}

const bucket = (r: Random) => `logs-${r.pick(['prod', 'dev', 'audit', 'media', 'backup'])}-${r.hex(6)}`;
const instanceId = (r: Random) => `i-0${r.hex(16)}`;

const KINDS: EventKind[] = [
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, weight: 14, request: (r) => ({ instancesSet: { items: [{ instanceId: instanceId(r) }] }, filterSet: {} }) },
  {
    source: 'ec2.amazonaws.com', name: 'RunInstances', readOnly: false, weight: 2,
    request: (r) => ({
      instancesSet: { items: [{ imageId: `ami-0${r.hex(16)}`, minCount: 1, maxCount: r.int(1, 3) }] },
      instanceType: r.pick(['t3.micro', 'm5.large', 'c6i.xlarge']),
      blockDeviceMapping: { items: [{ deviceName: '/dev/xvda', ebs: { volumeSize: r.int(8, 200), deleteOnTermination: true, volumeType: 'gp3' } }] },
      monitoring: { enabled: false }, disableApiTermination: false, clientToken: r.uuid(),
      tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'Name', value: `web-${r.hex(4)}` }, { key: 'team', value: r.pick(['core', 'data', 'sec']) }] }] },
    }),
    response: (r, acct) => ({
      requestId: r.uuid(), reservationId: `r-0${r.hex(16)}`, ownerId: acct,
      instancesSet: { items: [{ instanceId: instanceId(r), imageId: `ami-0${r.hex(16)}`, instanceState: { code: 0, name: 'pending' }, privateIpAddress: r.ipv4(true),
        subnetId: `subnet-0${r.hex(16)}`, vpcId: `vpc-0${r.hex(16)}`, architecture: 'x86_64', rootDeviceType: 'ebs',
        networkInterfaceSet: { items: [{ networkInterfaceId: `eni-0${r.hex(16)}`, macAddress: `0a:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}`, privateIpAddress: r.ipv4(true), sourceDestCheck: true }] },
        placement: { availabilityZone: 'us-east-1a', tenancy: 'default' }, cpuOptions: { coreCount: 1, threadsPerCore: 2 } }] },
    }),
  },
  { source: 'ec2.amazonaws.com', name: 'TerminateInstances', readOnly: false, weight: 1, request: (r) => ({ instancesSet: { items: [{ instanceId: instanceId(r) }] } }),
    response: (r) => ({ requestId: r.uuid(), instancesSet: { items: [{ instanceId: instanceId(r), currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } }) },
  { source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress', readOnly: false, weight: 1,
    request: (r) => ({ groupId: `sg-0${r.hex(16)}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }),
    response: (r) => ({ requestId: r.uuid(), _return: true }) },
  { source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, weight: 6, request: (r) => ({ Host: 's3.amazonaws.com' }) },
  { source: 's3.amazonaws.com', name: 'PutBucketPolicy', readOnly: false, weight: 1, request: (r) => ({ bucketName: bucket(r), bucketPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket(r)}/*` }] }, policy: '' }),
    resources: (r, acct) => [{ ARN: `arn:aws:s3:::${bucket(r)}`, accountId: acct, type: 'AWS::S3::Bucket' }] },
  { source: 'iam.amazonaws.com', name: 'CreateUser', readOnly: false, weight: 1, request: (r) => ({ userName: `user-${r.hex(5)}` }),
    response: (r, acct) => ({ user: { path: '/', userName: `user-${r.hex(5)}`, userId: `AIDA${r.upperAlnum(17)}`, arn: `arn:aws:iam::${acct}:user/user-${r.hex(5)}`, createDate: 'Jul 10, 2023 11:45:12 AM' } }) },
  { source: 'iam.amazonaws.com', name: 'AttachRolePolicy', readOnly: false, weight: 1, request: (r) => ({ roleName: `role-${r.hex(5)}`, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }) },
  { source: 'iam.amazonaws.com', name: 'CreateAccessKey', readOnly: false, weight: 1, request: (r) => ({ userName: `user-${r.hex(5)}` }),
    response: (r) => ({ accessKey: { userName: `user-${r.hex(5)}`, accessKeyId: `AKIA${r.upperAlnum(16)}`, status: 'Active', createDate: 'Jul 10, 2023 11:45:12 AM' } }) },
  { source: 'iam.amazonaws.com', name: 'DeleteRole', readOnly: false, weight: 1, request: (r) => ({ roleName: `role-${r.hex(5)}` }) },
  { source: 'iam.amazonaws.com', name: 'GetRole', readOnly: true, weight: 3, request: (r) => ({ roleName: `role-${r.hex(5)}` }) },
  { source: 'sts.amazonaws.com', name: 'AssumeRole', readOnly: true, weight: 8,
    request: (r, acct) => ({ roleArn: `arn:aws:iam::${acct}:role/deploy-${r.hex(4)}`, roleSessionName: `session-${r.hex(8)}`, durationSeconds: 3600 }),
    response: (r, acct) => ({ credentials: { accessKeyId: `ASIA${r.upperAlnum(16)}`, sessionToken: r.hex(96), expiration: 'Jul 10, 2023 12:45:12 PM' },
      assumedRoleUser: { assumedRoleId: `AROA${r.upperAlnum(17)}:session`, arn: `arn:aws:sts::${acct}:assumed-role/deploy/session` } }),
    resources: (r, acct) => [{ ARN: `arn:aws:iam::${acct}:role/deploy-${r.hex(4)}`, accountId: acct, type: 'AWS::IAM::Role' }] },
  { source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, weight: 4 },
  { source: 'signin.amazonaws.com', name: 'ConsoleLogin', readOnly: false, weight: 1, eventType: 'AwsConsoleSignIn',
    response: (r) => ({ ConsoleLogin: r.chance(0.9) ? 'Success' : 'Failure' }) },
  { source: 'kms.amazonaws.com', name: 'Decrypt', readOnly: true, weight: 10,
    request: (r) => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:us-east-1:111122223333:function:fn-${r.hex(4)}` } }),
    resources: (r, acct, region) => [{ ARN: `arn:aws:kms:${region}:${acct}:key/${r.uuid()}`, accountId: acct, type: 'AWS::KMS::Key' }] },
  { source: 'kms.amazonaws.com', name: 'GenerateDataKey', readOnly: true, weight: 5, request: (r) => ({ keyId: `alias/aws/s3`, keySpec: 'AES_256' }) },
  { source: 'lambda.amazonaws.com', name: 'CreateFunction20150331', readOnly: false, weight: 1,
    request: (r, acct) => ({ functionName: `fn-${r.hex(4)}`, runtime: 'nodejs20.x', role: `arn:aws:iam::${acct}:role/lambda-exec`, handler: 'index.handler', timeout: 30, memorySize: 256,
      environment: { variables: { STAGE: 'prod', TABLE: `t-${r.hex(4)}` } } }) },
  { source: 'logs.amazonaws.com', name: 'CreateLogStream', readOnly: false, weight: 4, request: (r) => ({ logGroupName: `/aws/lambda/fn-${r.hex(4)}`, logStreamName: `2023/07/10/[$LATEST]${r.hex(32)}` }) },
  { source: 'dynamodb.amazonaws.com', name: 'DescribeTable', readOnly: true, weight: 3, request: (r) => ({ tableName: `t-${r.hex(4)}` }) },
  { source: 'cloudformation.amazonaws.com', name: 'DescribeStacks', readOnly: true, weight: 2, request: (r) => ({ stackName: `stack-${r.hex(4)}` }) },
  { source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', readOnly: true, weight: 3, request: (r) => ({ secretId: `prod/db/${r.hex(4)}` }) },
  { source: 'cloudtrail.amazonaws.com', name: 'StopLogging', readOnly: false, weight: 0.2, request: (r, acct, region) => ({ name: `arn:aws:cloudtrail:${region}:${acct}:trail/main` }) },
  // Data events.
  { source: 's3.amazonaws.com', name: 'GetObject', readOnly: true, weight: 9, category: 'Data',
    request: (r) => ({ bucketName: bucket(r), key: `data/${r.hex(8)}/part-${r.int(0, 999)}.json`, Host: 's3.amazonaws.com' }),
    resources: (r, acct) => [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket(r)}/data/${r.hex(8)}` }, { accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket(r)}` }] },
  { source: 's3.amazonaws.com', name: 'PutObject', readOnly: false, weight: 5, category: 'Data',
    request: (r) => ({ bucketName: bucket(r), key: `uploads/${r.hex(12)}`, 'x-amz-server-side-encryption': 'aws:kms', Host: 's3.amazonaws.com' }),
    response: (r) => ({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:us-east-1:111122223333:key/${r.uuid()}` }),
    resources: (r, acct) => [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket(r)}/uploads/${r.hex(12)}` }, { accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket(r)}` }] },
  { source: 'lambda.amazonaws.com', name: 'Invoke', readOnly: false, weight: 4, category: 'Data',
    request: (r, acct, region) => ({ functionName: `arn:aws:lambda:${region}:${acct}:function:fn-${r.hex(4)}`, invocationType: 'RequestResponse' }),
    resources: (r, acct, region) => [{ accountId: acct, type: 'AWS::Lambda::Function', ARN: `arn:aws:lambda:${region}:${acct}:function:fn-${r.hex(4)}` }] },
  { source: 'dynamodb.amazonaws.com', name: 'GetItem', readOnly: true, weight: 1, category: 'Data',
    request: (r) => ({ tableName: `t-${r.hex(4)}`, key: { pk: { S: r.hex(8) } } }),
    resources: (r, acct, region) => [{ accountId: acct, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${region}:${acct}:table/t-${r.hex(4)}` }] },
];
const WEIGHTED = KINDS.map((k) => [k, k.weight] as const);

const AGENTS = ['aws-cli/2.13.0 Python/3.11.4 Linux/5.10 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances',
  'Boto3/1.28.1 md/Botocore#1.31.1 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.4 cfg/retry-mode#legacy Botocore/1.31.1',
  'aws-sdk-go-v2/1.18.1 os/linux lang/go#1.20.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.19.2', 'console.amazonaws.com',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36', 'AWS Internal'];

function identity(r: Random, acct: string, kind: EventKind): Json {
  // Console sign-ins come from people: IAM users, the root user or federated roles, never a service.
  const t = kind.eventType === 'AwsConsoleSignIn'
    ? r.weighted([['AssumedRole', 4], ['IAMUser', 5], ['Root', 1]] as const)
    : r.weighted([['AssumedRole', 45], ['IAMUser', 30], ['AWSService', 10], ['Root', 3], ['FederatedUser', 4], ['AWSAccount', 3]] as const);
  const principal = r.upperAlnum(17);
  switch (t) {
    case 'IAMUser': {
      const name = r.pick(['alice', 'bob', 'ci-bot', 'terraform']);
      return { type: 'IAMUser', principalId: `AIDA${principal}`, arn: `arn:aws:iam::${acct}:user/${name}`, accountId: acct, accessKeyId: `AKIA${r.upperAlnum(16)}`, userName: name };
    }
    case 'Root':
      return { type: 'Root', principalId: acct, arn: `arn:aws:iam::${acct}:root`, accountId: acct, accessKeyId: `ASIA${r.upperAlnum(16)}`, sessionContext: { attributes: { creationDate: '2023-07-10T11:00:00Z', mfaAuthenticated: String(r.chance(0.7)) } } };
    case 'AWSService':
      return { type: 'AWSService', invokedBy: r.pick(['lambda.amazonaws.com', 'cloudformation.amazonaws.com', 'autoscaling.amazonaws.com', 'ec2.amazonaws.com']) };
    case 'FederatedUser':
      return { type: 'FederatedUser', principalId: `${acct}:fed-${r.hex(4)}`, arn: `arn:aws:sts::${acct}:federated-user/fed-${r.hex(4)}`, accountId: acct, accessKeyId: `ASIA${r.upperAlnum(16)}`,
        sessionContext: { sessionIssuer: { type: 'IAMUser', principalId: `AIDA${principal}`, arn: `arn:aws:iam::${acct}:user/federator`, accountId: acct, userName: 'federator' }, attributes: { creationDate: '2023-07-10T11:00:00Z', mfaAuthenticated: 'false' } } };
    case 'AWSAccount':
      return { type: 'AWSAccount', principalId: `AIDA${principal}`, accountId: '999988887777' };
    default: {
      const role = r.pick(['Admin', 'deploy', 'ReadOnly', 'ecs-task', 'OrganizationAccountAccessRole']);
      const session = r.pick(['i-0a1b2c3d4e5f67890', 'alice@example.com', 'botocore-session-1688989512', 'GitHubActions']);
      return { type: 'AssumedRole', principalId: `AROA${principal}:${session}`, arn: `arn:aws:sts::${acct}:assumed-role/${role}/${session}`, accountId: acct, accessKeyId: `ASIA${r.upperAlnum(16)}`,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROA${principal}`, arn: `arn:aws:iam::${acct}:role/${role}`, accountId: acct, userName: role },
          webIdFederationData: {}, attributes: { creationDate: '2023-07-10T10:58:01Z', mfaAuthenticated: String(kind.source === 'signin.amazonaws.com' || r.chance(0.1)) }, ...(r.chance(0.2) ? { ec2RoleDelivery: '2.0' } : {}) } };
    }
  }
}

/** One CloudTrail record. */
export function cloudTrailRecord(r: Random, time: number, region: string, acct: string): Json {
  const kind = r.weighted(WEIGHTED);
  const ident = identity(r, acct, kind);
  const isService = ident.type === 'AWSService';
  const error = r.chance(0.05);
  const rec: Json = {
    eventVersion: r.pick(['1.08', '1.09', '1.09', '1.10']),
    userIdentity: ident,
    eventTime: new Date(time).toISOString().replace('.000Z', 'Z').replace(/\.\d{3}Z$/, 'Z'),
    eventSource: kind.source,
    eventName: kind.name,
    awsRegion: region,
    sourceIPAddress: isService ? (ident.invokedBy as string) : r.chance(0.2) ? r.ipv4(true) : r.ipv4(),
    userAgent: isService ? (ident.invokedBy as string) : r.pick(AGENTS),
  };
  if (error) {
    rec.errorCode = r.pick(['AccessDenied', 'Client.UnauthorizedOperation', 'ThrottlingException', 'NoSuchEntityException']);
    rec.errorMessage = `User: ${String(ident.arn ?? 'unknown')} is not authorized to perform: ${kind.source.split('.')[0]}:${kind.name}`;
  }
  rec.requestParameters = kind.request ? kind.request(r, acct, region) : null;
  rec.responseElements = !error && kind.response ? kind.response(r, acct, region) : null;
  if (kind.name === 'ConsoleLogin') {
    rec.additionalEventData = { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: r.chance(0.6) ? 'Yes' : 'No' };
  } else if (kind.category === 'Data' && kind.source === 's3.amazonaws.com') {
    rec.additionalEventData = { SignatureVersion: 'SigV4', CipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', bytesTransferredIn: 0, bytesTransferredOut: r.int(100, 5_000_000), AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': r.hex(60) };
  }
  rec.requestID = error && r.chance(0.3) ? undefined : r.uuid();
  rec.eventID = r.uuid();
  rec.readOnly = kind.readOnly;
  if (kind.resources) rec.resources = kind.resources(r, acct, region);
  rec.eventType = kind.eventType ?? 'AwsApiCall';
  rec.managementEvent = kind.category !== 'Data';
  rec.recipientAccountId = acct;
  if (r.chance(0.05)) rec.sharedEventID = r.uuid();
  if (r.chance(0.03)) rec.vpcEndpointId = `vpce-0${r.hex(16)}`;
  rec.eventCategory = kind.category ?? 'Management';
  if (!isService && r.chance(0.7)) {
    rec.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${kind.source.split('.')[0]}.${region}.amazonaws.com` };
  }
  if (rec.requestID === undefined) delete rec.requestID;
  return rec;
}

/**
 * CloudTrail S3 log objects (`{"Records":[...]}`, gzip), `perFile` records each, every file in one partition
 * (account, region, day) as CloudTrail delivers them. Keys follow CloudTrail's own naming.
 */
export function* cloudTrailFiles(r: Random, spread: SampleSpread, records: number, perFile = 1000): Generator<SampleFile> {
  for (const { count, region, account, base } of fileBatches(r, spread, records, perFile)) {
    const recs: Json[] = [];
    for (let i = 0; i < count; i++) recs.push(cloudTrailRecord(r, base + r.int(0, 3_600_000), region, account));
    const day = new Date(base).toISOString().slice(0, 10).replaceAll('-', '/');
    const stamp = new Date(base).toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';
    const name = `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${r.upperAlnum(16)}.json.gz`;
    yield { name, bytes: gzipSync(JSON.stringify({ Records: recs })), records: count };
  }
}
