/**
 * Golden cases for the CloudTrail family (issue 3 item 7): every `test/golden/cloudtrail/<case>.raw.<ext>`
 * (inputs written for this project) is mapped with `--source cloudtrail` at source versions 1.0 and 2.0
 * and compared with the hand-checked `<case>.1.0.ocsf.json` / `<case>.2.0.ocsf.json` (arrays, in input
 * order); every expected event must pass the OCSF validator. A new case needs no new code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const DIR = new URL('../golden/cloudtrail/', import.meta.url);
const cases = readdirSync(DIR)
  .filter((f) => /\.raw\.[a-z]+$/.test(f))
  .sort()
  .map((f) => ({ name: f.replace(/\.raw\.[a-z]+$/, ''), input: f }));
const runs = cases.flatMap((c) => (['1.0', '2.0'] as const).map((version) => ({ ...c, version })));
const validator = createValidator();

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function expected(name: string, version: string): Ev[] {
  return JSON.parse(readFileSync(new URL(`${name}.${version}.ocsf.json`, DIR), 'utf8')) as Ev[];
}

async function mapFile(file: string, version: string) {
  const session = createMapSession({ source: 'cloudtrail', sourceVersion: version });
  const events: Ev[] = [];
  const sources: string[] = [];
  const other: unknown[] = [];
  for await (const o of session.mapInput(file, readFileSync(new URL(file, DIR)))) {
    if (o.kind === 'event') {
      events.push(JSON.parse(JSON.stringify(o.event)) as Ev);
      sources.push(o.source);
    } else other.push(o.kind === 'failure' ? o.failure.toJSON() : o.filtered);
  }
  return { events, sources, other, stats: session.stats };
}

describe('CloudTrail golden cases', () => {
  it('covers every case of issue 3 item 7', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'api_activity_verbs', // Create/Read/Update/Delete/Other
        'error_access_denied', // errorCode
        'identity_assumed_role_mfa', // AssumedRole with session context and MFA
        'identity_root',
        'identity_aws_service', // AWSService with invokedBy; sourceIPAddress that is a service name
        'identity_federated_user',
        'vpc_endpoint',
        'resources',
        'console_login', // success, failure, with MFA
        'assume_role',
        'assume_role_saml',
        'assume_role_web_identity',
        'iam_create_user',
        'iam_attach_role_policy',
        'iam_delete_role',
        'iam_create_access_key',
        's3_data_events', // GetObject, PutObject
        'lambda_invoke',
        'huge_request_parameters',
      ]),
    );
  });

  it.each(runs)('$name at $version maps to its expected output', async ({ name, input, version }) => {
    const { events, other, stats } = await mapFile(input, version);
    expect(other).toEqual([]);
    expect(stats.recordsIn).toBe(stats.events + stats.failures + stats.filtered);
    expect(events).toEqual(expected(name, version));
  });

  it.each(runs)('$name at $version: every expected event is valid OCSF', ({ name, version }) => {
    const evs = expected(name, version);
    expect(evs.length).toBeGreaterThan(0);
    for (const ev of evs) {
      expect(ev.metadata.version).toBe(version === '1.0' ? '1.0.0-rc.2' : '1.1.0');
      expect(validator.validate(ev).errors).toEqual([]);
    }
  });

  it('API Activity verbs give Create, Read, Update, Delete, Other (§3.2)', () => {
    for (const [version, cls] of [['1.0', 3005], ['2.0', 6003]] as const) {
      const evs = expected('api_activity_verbs', version);
      expect(evs.map((e) => [e.api.operation, e.activity_id, e.type_uid])).toEqual([
        ['RunInstances', 1, cls * 100 + 1],
        ['DescribeInstances', 2, cls * 100 + 2],
        ['ModifyInstanceAttribute', 3, cls * 100 + 3],
        ['TerminateInstances', 4, cls * 100 + 4],
        ['SendCommand', 99, cls * 100 + 99],
      ]);
    }
  });

  it('routes data events to S3_DATA and LAMBDA_EXECUTION, management events to CLOUD_TRAIL_MGMT', async () => {
    expect((await mapFile('s3_data_events.raw.json', '2.0')).sources).toEqual(['S3_DATA', 'S3_DATA']);
    expect((await mapFile('lambda_invoke.raw.json', '2.0')).sources).toEqual(['LAMBDA_EXECUTION']);
    expect((await mapFile('iam_create_user.raw.json', '2.0')).sources).toEqual(['CLOUD_TRAIL_MGMT']);
    const s3 = expected('s3_data_events', '1.0');
    expect(s3.map((e) => [e.api.operation, e.activity_name, e.metadata.product.feature.name])).toEqual([
      ['GetObject', 'Read', 'Data'],
      ['PutObject', 'Update', 'Data'],
    ]);
    expect(expected('lambda_invoke', '2.0')[0]).toMatchObject({ activity_id: 99, resources: [{ uid: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-validate' }] });
  });

  it('status: errorCode → Failure; ConsoleLogin field decides sign-ins; AssumeRole without either → 0 Unknown (§3.3)', () => {
    for (const v of ['1.0', '2.0']) {
      expect(expected('error_access_denied', v)[0]).toMatchObject({ status_id: 2, status: 'Failure', api: { response: { error: 'AccessDenied' } } });
      expect(expected('console_login', v).map((e) => [e.status_id, e.status])).toEqual([[1, 'Success'], [2, 'Failure'], [1, 'Success']]);
      expect(expected('assume_role', v).map((e) => [e.status_id, e.status])).toEqual([[0, 'Unknown'], [2, 'Failure']]);
    }
  });

  it('v1/v2 identity swap and class differences (§8)', () => {
    const v1 = expected('iam_create_user', '1.0')[0]!;
    const v2 = expected('iam_create_user', '2.0')[0]!;
    expect(v1.actor.user).toMatchObject({ uid: 'AIDAEXAMPLEOPS000001', uuid: 'arn:aws:iam::111122223333:user/ops-alice', account_uid: '111122223333' });
    expect(v2.actor.user).toMatchObject({ uid: 'arn:aws:iam::111122223333:user/ops-alice', uid_alt: 'AIDAEXAMPLEOPS000001', account: { uid: '111122223333' } });
    expect(v1.user).toEqual({ name: 'frank', uid: 'AIDAEXAMPLEFRANK001' });
    expect(v2.user).toEqual({ name: 'frank', uid: 'arn:aws:iam::111122223333:user/frank', uid_alt: 'AIDAEXAMPLEFRANK001' });
    expect([v1.category_name, v2.category_name]).toEqual(['Audit Activity', 'Identity & Access Management']);
    expect(v1.unmapped['responseElements.user.arn']).toBe('arn:aws:iam::111122223333:user/frank');
    expect(v2.api.response.data).toContain('"userId":"AIDAEXAMPLEFRANK001"');
    expect(v1.observables).toBeUndefined();
    expect(v2.observables).toContainEqual({ name: 'user.name', type: 'User Name', type_id: 4, value: 'frank' });
  });

  it('keeps a huge requestParameters whole (v1 unmapped leaves, v2 api.request.data)', () => {
    const raw = JSON.parse(readFileSync(new URL('huge_request_parameters.raw.json', DIR), 'utf8'));
    const v1 = expected('huge_request_parameters', '1.0')[0]!;
    const v2 = expected('huge_request_parameters', '2.0')[0]!;
    expect(v1.unmapped['requestParameters.templateBody']).toBe(raw.requestParameters.templateBody);
    expect(v1.unmapped['requestParameters.templateBody'].length).toBeGreaterThan(65536);
    expect(v1.unmapped['requestParameters.parameters[].parameterKey'].split(',')).toHaveLength(300);
    expect(JSON.parse(v2.api.request.data)).toEqual(raw.requestParameters);
  });
});
