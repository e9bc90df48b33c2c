/** Hand-written valid OCSF events for the validator tests (checked against schemas/ and mapping-spec §1.1/§1.2). */

/** OCSF 1.1.0 API Activity (6003), CloudTrail profiles ["cloud","datetime"]. */
export function apiActivity110(): Record<string, any> {
  return {
    activity_id: 2,
    activity_name: 'Read',
    category_uid: 6,
    category_name: 'Application Activity',
    class_uid: 6003,
    class_name: 'API Activity',
    type_uid: 600302,
    type_name: 'API Activity: Read',
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    time: 1700000000000,
    time_dt: '2023-11-14T22:13:20.000Z',
    actor: {
      user: { type: 'IAMUser', name: 'alice', uid: 'arn:aws:iam::123456789012:user/alice', account: { uid: '123456789012' } },
    },
    api: { operation: 'DescribeInstances', service: { name: 'ec2.amazonaws.com' }, request: { uid: 'req-1' } },
    src_endpoint: { ip: '192.0.2.1' },
    cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '123456789012' } },
    metadata: {
      version: '1.1.0',
      profiles: ['cloud', 'datetime'],
      product: { name: 'CloudTrail', vendor_name: 'AWS', version: '1.08', feature: { name: 'Management' } },
      uid: 'evt-1',
    },
    unmapped: { 'requestParameters.filterSet': 'x' },
  };
}

/** OCSF 1.0.0-rc.2 DNS Activity (4003), Route 53 profiles ["cloud","security_control"]. */
export function dnsActivityRc2(): Record<string, any> {
  return {
    activity_id: 2,
    activity_name: 'Response',
    category_uid: 4,
    category_name: 'Network Activity',
    class_uid: 4003,
    class_name: 'DNS Activity',
    type_uid: 400302,
    type_name: 'DNS Activity: Response',
    severity_id: 1,
    severity: 'Informational',
    time: 1665694956000,
    rcode_id: 0,
    rcode: 'NoError',
    disposition_id: 16,
    disposition: 'No Action',
    query: { hostname: 'example.com.', type: 'A', class: 'IN' },
    answers: [{ type: 'A', rdata: '93.184.216.34', class: 'IN' }],
    connection_info: { protocol_name: 'UDP', direction: 'Unknown', direction_id: 0 },
    src_endpoint: { ip: '10.0.0.1', port: 5353, vpc_uid: 'vpc-1' },
    dst_endpoint: { instance_uid: 'rslvr-in-1' },
    cloud: { provider: 'AWS', region: 'us-east-1', account_uid: '123456789012' },
    metadata: {
      version: '1.0.0-rc.2',
      profiles: ['cloud', 'security_control'],
      product: { name: 'Route 53', vendor_name: 'AWS', version: '1.100000', feature: { name: 'Resolver Query Logs' } },
    },
  };
}
