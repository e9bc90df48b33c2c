/** The validator on hand-written events: each crafted defect is rejected with the expected path and message. */
import { describe, expect, it } from 'vitest';
import { createValidator, normalizeEvent, validateEvent, type ValidationError } from '../../src/validate/index.js';
import { apiActivity110, dnsActivityRc2 } from './fixtures.js';

const v = createValidator();

function errorsOf(event: unknown): ValidationError[] {
  const r = v.validate(event);
  expect(r.valid).toBe(r.errors.length === 0);
  return r.errors;
}

describe('valid events', () => {
  it('accepts the fixtures (1.1.0 API Activity, rc.2 DNS Activity)', () => {
    expect(errorsOf(apiActivity110())).toEqual([]);
    expect(errorsOf(dnsActivityRc2())).toEqual([]);
    expect(validateEvent(apiActivity110())).toEqual({ valid: true, errors: [] });
  });

  it('accepts any string keys inside unmapped, and profiles in any order or repeated', () => {
    const e = apiActivity110();
    e.unmapped = { 'a.b[].c': 'x', 'weird key/with~chars': 'y' };
    e.metadata.profiles = ['datetime', 'cloud', 'cloud'];
    expect(errorsOf(e)).toEqual([]);
  });

  it('id 99 "Other" accepts any caption', () => {
    const e = apiActivity110();
    Object.assign(e, { activity_id: 99, activity_name: 'Frobnicate', type_uid: 600399, type_name: 'API Activity: Other' });
    expect(errorsOf(e)).toEqual([]);
  });
});

describe('crafted invalid events', () => {
  it('wrong type_uid', () => {
    const e = apiActivity110();
    e.type_uid = 600303;
    e.type_name = 'API Activity: Update';
    expect(errorsOf(e)).toEqual([
      { path: '/type_uid', keyword: 'type_uid', message: 'type_uid 600303 must equal class_uid * 100 + activity_id = 600302' },
    ]);
  });

  it('type_uid outside the class enum', () => {
    const e = apiActivity110();
    e.type_uid = 123;
    expect(errorsOf(e)).toEqual([
      {
        path: '/type_uid',
        keyword: 'enum',
        message:
          '123 is not a valid value; must be one of 600300 API Activity: Unknown, 600301 API Activity: Create, 600302 API Activity: Read, 600303 API Activity: Update, 600304 API Activity: Delete, 600399 API Activity: Other',
      },
      { path: '/type_uid', keyword: 'type_uid', message: 'type_uid 123 must equal class_uid * 100 + activity_id = 600302' },
    ]);
  });

  it('unknown attribute, top level and nested', () => {
    const e = apiActivity110();
    e.region = 'us-east-1';
    e.actor.user.nickname = 'al';
    expect(errorsOf(e)).toEqual([
      { path: '/actor/user/nickname', keyword: 'additionalProperties', message: 'unknown attribute "nickname"' },
      { path: '/region', keyword: 'additionalProperties', message: 'unknown attribute "region"' },
    ]);
  });

  it('attribute of a profile the event does not declare is unknown', () => {
    const e = apiActivity110();
    e.metadata.profiles = ['cloud'];
    expect(errorsOf(e)).toEqual([
      {
        path: '/metadata/profiles',
        keyword: 'unsupported-profiles',
        message: 'no schema for api_activity (6003) with profiles [cloud] in OCSF 1.1.0 (generated: [], [cloud,datetime])',
      },
    ]);
    const r = dnsActivityRc2();
    r.time_dt = '2022-10-13T21:02:36Z';
    expect(errorsOf(r)).toEqual([{ path: '/time_dt', keyword: 'additionalProperties', message: 'unknown attribute "time_dt"' }]);
  });

  it('wrong enum value', () => {
    const e = apiActivity110();
    e.severity_id = 7;
    expect(errorsOf(e)).toEqual([
      {
        path: '/severity_id',
        keyword: 'enum',
        message: '7 is not a valid value; must be one of 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other',
      },
    ]);
  });

  it('wrong class_uid constant for the category', () => {
    const e = apiActivity110();
    e.category_uid = 3;
    expect(errorsOf(e)).toEqual([
      { path: '/category_uid', keyword: 'const', message: '3 is not a valid value; must be 6 Application Activity' },
    ]);
  });

  it('missing required attribute, top level and nested', () => {
    const e = apiActivity110();
    delete e.api;
    delete e.cloud.provider;
    expect(errorsOf(e)).toEqual([
      { path: '/api', keyword: 'required', message: 'missing required attribute "api"' },
      { path: '/cloud/provider', keyword: 'required', message: 'missing required attribute "provider"' },
    ]);
  });

  it('profile-required attribute (cloud) missing', () => {
    const e = apiActivity110();
    delete e.cloud;
    expect(errorsOf(e)).toEqual([{ path: '/cloud', keyword: 'required', message: 'missing required attribute "cloud"' }]);
  });

  it('wrong type', () => {
    const e = apiActivity110();
    e.time = '2023-11-14T22:13:20Z';
    e.src_endpoint.port = 70000;
    e.unmapped = { n: 1 };
    expect(errorsOf(e)).toEqual([
      { path: '/src_endpoint/port', keyword: 'maximum', message: 'must be <= 65535' },
      { path: '/time', keyword: 'type', message: 'must be integer, got string "2023-11-14T22:13:20Z"' },
      { path: '/unmapped/n', keyword: 'type', message: 'must be string, got integer 1' },
    ]);
  });

  it('bad date-time in a *_dt attribute', () => {
    const e = apiActivity110();
    e.time_dt = 'yesterday';
    expect(errorsOf(e)).toEqual([{ path: '/time_dt', keyword: 'format', message: 'must be an RFC 3339 date-time string, got "yesterday"' }]);
  });

  it('activity_name not matching activity_id', () => {
    const e = apiActivity110();
    e.activity_name = 'Create';
    expect(errorsOf(e)).toEqual([
      { path: '/activity_name', keyword: 'caption', message: 'activity_name "Create" does not match activity_id 2 (expected "Read")' },
    ]);
  });

  it('every caption sibling is checked: class, category, type, severity, status, nested disposition/rcode/direction', () => {
    const e = apiActivity110();
    Object.assign(e, { class_name: 'Api Activity', category_name: 'Audit Activity', type_name: 'API Activity: Get', severity: 'Low', status: 'Failure' });
    expect(errorsOf(e).map((x) => x.path)).toEqual(['/category_name', '/class_name', '/severity', '/status', '/type_name']); // sorted by path
    const d = dnsActivityRc2();
    d.disposition = 'Blocked';
    d.rcode = 'NXDomain';
    d.connection_info.direction = 'Inbound';
    expect(errorsOf(d)).toEqual([
      { path: '/connection_info/direction', keyword: 'caption', message: 'direction "Inbound" does not match direction_id 0 (expected "Unknown")' },
      { path: '/disposition', keyword: 'caption', message: 'disposition "Blocked" does not match disposition_id 16 (expected "No Action")' },
      { path: '/rcode', keyword: 'caption', message: 'rcode "NXDomain" does not match rcode_id 0 (expected "NoError")' },
    ]);
  });

  it('caption checks reach objects inside arrays (observables[].type)', () => {
    const e = apiActivity110();
    e.observables = [
      { name: 'src_endpoint.ip', type: 'IP Address', type_id: 2, value: '192.0.2.1' },
      { name: 'actor.user.name', type: 'Hostname', type_id: 4, value: 'alice' },
    ];
    expect(errorsOf(e)).toEqual([
      { path: '/observables/1/type', keyword: 'caption', message: 'type "Hostname" does not match type_id 4 (expected "User Name")' },
    ]);
  });

  it('at_least_one constraint, and constraints:false skips it', () => {
    const e = apiActivity110();
    e.src_endpoint = { domain: 'cloudformation.amazonaws.com' };
    const err = {
      path: '/src_endpoint',
      keyword: 'at_least_one',
      message: 'at least one of ip, uid, name, hostname, svc_name, instance_uid, interface_uid, interface_name must be present',
    };
    expect(errorsOf(e)).toEqual([err]);
    expect(createValidator({ constraints: false }).validate(e)).toEqual({ valid: true, errors: [] });
  });

  it('unknown class', () => {
    const e = apiActivity110();
    e.class_uid = 9999;
    expect(errorsOf(e)).toEqual([
      {
        path: '/class_uid',
        keyword: 'unsupported-class',
        message:
          'no schema for class_uid 9999 in OCSF 1.1.0 (supported: 2002 Vulnerability Finding, 2003 Compliance Finding, 2004 Detection Finding, 3001 Account Change, 3002 Authentication, 4001 Network Activity, 4003 DNS Activity, 6003 API Activity)',
      },
    ]);
    const r = dnsActivityRc2();
    r.class_uid = 6003; // API Activity does not exist in rc.2
    expect(errorsOf(r)[0]).toMatchObject({ path: '/class_uid', keyword: 'unsupported-class' });
  });

  it('unknown version, missing version, non-objects: a clear error, never a throw', () => {
    const e = apiActivity110();
    e.metadata.version = '1.5.0';
    expect(errorsOf(e)).toEqual([
      { path: '/metadata/version', keyword: 'unsupported-version', message: 'unsupported OCSF version "1.5.0" (supported: 1.0.0-rc.2, 1.1.0)' },
    ]);
    delete e.metadata;
    expect(errorsOf(e)).toEqual([
      { path: '/metadata/version', keyword: 'unsupported-version', message: 'metadata.version is missing or not a string: cannot choose an OCSF schema' },
    ]);
    for (const x of [null, 42, 'x', [], [apiActivity110()], undefined]) {
      expect(errorsOf(x)).toEqual([{ path: '', keyword: 'not-an-object', message: expect.stringContaining('must be a JSON object') }]);
    }
    expect(errorsOf({ metadata: { version: '1.1.0' }, class_uid: '6003' })[0]).toMatchObject({ keyword: 'unsupported-class' });
  });
});

describe('values from Parquet rows', () => {
  it('bigint → number, Date → RFC 3339, nulls dropped, {key,value} pairs and Map → object', () => {
    const e: Record<string, any> = apiActivity110();
    e.time = 1700000000000n;
    e.type_uid = 600302n;
    e.time_dt = new Date(1700000000000);
    e.message = null;
    e.actor.user.email_addr = null;
    e.resources = [null, { uid: 'i-1', name: null }];
    e.unmapped = [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ];
    expect(errorsOf(e)).toEqual([]);
    const n = normalizeEvent(e) as Record<string, any>;
    expect(n.time).toBe(1700000000000);
    expect(n.time_dt).toBe('2023-11-14T22:13:20.000Z');
    expect('message' in n).toBe(false);
    expect(n.resources).toEqual([{ uid: 'i-1' }]);
    expect(n.unmapped).toEqual({ a: '1', b: '2' });
    expect(e.time).toBe(1700000000000n); // input untouched
    const m = apiActivity110();
    m.unmapped = new Map([['k', 'v']]);
    expect(errorsOf(m)).toEqual([]);
  });

  it('returns the same object when nothing needs normalizing', () => {
    const e = apiActivity110();
    expect(normalizeEvent(e)).toBe(e);
  });

  it('unwraps legacy {array:[...]} lists only when asked', () => {
    const e: Record<string, any> = apiActivity110();
    e.resources = { array: [{ uid: 'i-1' }] };
    expect(errorsOf(e)[0]).toMatchObject({ path: '/resources', keyword: 'type' });
    expect(createValidator({ unwrapListWrappers: true }).validate(e)).toEqual({ valid: true, errors: [] });
  });

  it('Security Lake table columns are errors unless stripTableColumns', () => {
    const e = apiActivity110();
    Object.assign(e, { region: 'us-east-1', accountid: '123456789012', asl_version: '2', eventday: '20231114' });
    expect(errorsOf(e).map((x) => x.path)).toEqual(['/accountid', '/asl_version', '/eventday', '/region']);
    expect(createValidator({ stripTableColumns: true }).validate(e).errors).toEqual([]);
    expect(createValidator({ stripTableColumns: ['region', 'accountid'] }).validate(e).errors.map((x) => x.path)).toEqual([
      '/asl_version',
      '/eventday',
    ]);
  });
});

describe('schema selection and caching', () => {
  it('lists supported variants and compiles each schema once', () => {
    const w = createValidator();
    const variants = w.supported();
    expect(variants).toContainEqual({
      version: '1.1.0',
      classUid: 2004,
      className: 'detection_finding',
      classCaption: 'Detection Finding',
      profiles: ['cloud', 'datetime', 'linux'],
      file: '1.1.0/detection_finding.cloud_datetime_linux.json',
    });
    const a = w.schemaFor('1.1.0', 6003, ['datetime', 'cloud']);
    expect(a).toBeDefined();
    expect(w.schemaFor('1.1.0', 6003, ['cloud', 'datetime'])).toBe(a);
    expect(w.schemaFor('1.1.0', 6003, ['host'])).toBeUndefined();
    expect(w.schemaFor('9.9.9', 6003)).toBeUndefined();
  });

  it('picks the schema from the event: the same attribute is fine in one version and unknown in the other', () => {
    const e = dnsActivityRc2();
    expect(errorsOf(e)).toEqual([]);
    // rc.2 cloud.account_uid does not exist in 1.1.0 (cloud.account.uid)
    e.metadata.version = '1.1.0';
    e.metadata.profiles = ['cloud', 'security_control', 'datetime'];
    expect(errorsOf(e)).toContainEqual({ path: '/cloud/account_uid', keyword: 'additionalProperties', message: 'unknown attribute "account_uid"' });
  });

  it('allErrors:false stops at the first schema error', () => {
    const e = apiActivity110();
    e.foo = 1;
    e.bar = 2;
    expect(createValidator({ allErrors: false }).validate(e).errors).toHaveLength(1);
  });
});
