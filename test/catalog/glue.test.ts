/**
 * Glue `TableInput`s of the catalog: names (security-lake.md §1.4, §3.5), columns equal to the writer's
 * schema, Hive types, partition keys, storage descriptor, locations, projection, custom sources, errors.
 * Data-driven over every registered source and version.
 */
import { describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import { listSources } from '../../src/core/source.js';
import { schemaFor } from '../../src/writer/arrow-schema.js';
import { glueType } from '../../src/writer/schema-tree.js';
import type { ColumnType } from '../../src/writer/schema-tree.js';
import { planCatalog, PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT, PARQUET_SERDE } from '../../src/catalog/glue.js';
import type { CatalogTable } from '../../src/catalog/glue.js';
import { ddlType } from '../../src/catalog/hive-types.js';
import { addPartitionsDdl } from '../../src/catalog/ddl.js';
import { CatalogError, databaseName, lakeRoot, tableName } from '../../src/catalog/names.js';
import { acmeAudit, acmeLogins } from './fixtures.js';

/** Table-name tokens of the AWS sources, verbatim from security-lake.md §1.4 (not derived by the code under test). */
const DOC_TOKENS: Record<string, Record<string, string>> = {
  CLOUD_TRAIL_MGMT: { '1.0': 'cloud_trail_mgmt_1_0', '2.0': 'cloud_trail_mgmt_2_0' },
  LAMBDA_EXECUTION: { '1.0': 'lambda_execution_1_0', '2.0': 'lambda_execution_2_0' },
  S3_DATA: { '1.0': 's3_data_1_0', '2.0': 's3_data_2_0' },
  ROUTE53: { '1.0': 'route53_1_0', '2.0': 'route53_2_0' },
  SH_FINDINGS: { '1.0': 'sh_findings_1_0', '2.0': 'sh_findings_2_0' },
  VPC_FLOW: { '1.0': 'vpc_flow_1_0', '2.0': 'vpc_flow_2_0' },
  EKS_AUDIT: { '2.0': 'eks_audit_2_0' },
  WAF: { '2.0': 'waf_2_0' },
};

const REGIONS = ['us-east-1', 'ap-northeast-1'];
const LOCATION = 's3://example-lake/security';
const cases = listSources()
  .filter((d) => !d.custom)
  .flatMap((d) => Object.keys(d.versions).map((v) => [d.name, v] as const));

describe('every registered source at every version', () => {
  it('there are sources to test', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  describe.each(cases)('%s %s', (source, version) => {
    const tables = () => planCatalog({ regions: REGIONS, location: LOCATION, sources: [source], sourceVersion: version }).tables;

    it('one table per region, named as Security Lake names it, in the region database', () => {
      const ts = tables();
      expect(ts.map((t) => t.region)).toEqual(REGIONS);
      const token = DOC_TOKENS[source]?.[version] ?? `${source.toLowerCase()}_${version.replace('.', '_')}`;
      expect(ts.map((t) => [t.database, t.name, t.tableInput.Name])).toEqual([
        ['amazon_security_lake_glue_db_us_east_1', `amazon_security_lake_table_us_east_1_${token}`, `amazon_security_lake_table_us_east_1_${token}`],
        ['amazon_security_lake_glue_db_ap_northeast_1', `amazon_security_lake_table_ap_northeast_1_${token}`, `amazon_security_lake_table_ap_northeast_1_${token}`],
      ]);
    });

    it("columns are the writer's schema top-level fields, in order, with their Hive types", () => {
      const schema = schemaFor(source, version);
      for (const t of tables()) {
        const cols = t.tableInput.StorageDescriptor!.Columns!;
        expect(cols.map((c) => c.Name)).toEqual(schema.fields.map((f) => f.name));
        expect(cols.map((c) => c.Type)).toEqual(schema.fields.map((f) => hive(f.type)));
        expect(t.schema.fingerprint).toBe(schema.fingerprint);
        expect(t.tableInput.Parameters!['ocsf.schema_fingerprint']).toBe(schema.fingerprint);
      }
    });

    it('base columns typed as in Security Lake tables (§3.6)', () => {
      const types = Object.fromEntries(tables()[0]!.tableInput.StorageDescriptor!.Columns!.map((c) => [c.Name, c.Type]));
      expect(types).toMatchObject({ time: 'bigint', class_uid: 'int', category_uid: 'int', activity_id: 'int', severity_id: 'int', class_name: 'string', severity: 'string' });
      expect(types.type_uid).toBe(version === '1.0' ? 'int' : 'bigint');
      if (version === '2.0') expect(types.time_dt).toBe('timestamp');
      else expect(types.time_dt).toBeUndefined();
      if (types.unmapped !== undefined) expect(types.unmapped).toBe('map<string,string>');
      expect(types.metadata).toMatch(/^struct<.*\bversion:string.*>$/);
    });

    it('partition keys region/accountid/eventday (strings), Parquet storage, location aws/<SOURCE>/<version>/', () => {
      for (const t of tables()) {
        const ti = t.tableInput;
        expect(ti.PartitionKeys).toEqual([
          { Name: 'region', Type: 'string' },
          { Name: 'accountid', Type: 'string' },
          { Name: 'eventday', Type: 'string' },
        ]);
        expect(ti.TableType).toBe('EXTERNAL_TABLE');
        expect(ti.StorageDescriptor).toMatchObject({
          Location: `s3://example-lake/security/aws/${source}/${version}/`,
          InputFormat: PARQUET_INPUT_FORMAT,
          OutputFormat: PARQUET_OUTPUT_FORMAT,
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        });
        expect(ti.Parameters).toMatchObject({
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'ocsf.generator': 'ocsf-lake',
          'ocsf.source': source,
          'ocsf.source_version': version,
          'ocsf.layout': 'native',
          'projection.enabled': 'true',
          'projection.region.type': 'enum',
          'projection.region.values': t.region,
          'storage.location.template': `s3://example-lake/security/aws/${source}/${version}/region=\${region}/accountId=\${accountid}/eventDay=\${eventday}/`,
        });
      }
    });
  });
});

/** Independent Hive rendering of a writer column type (the spec of §3.6), to check the code under test. */
function hive(t: ColumnType): string {
  switch (t.kind) {
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${hive(f.type)}`).join(',')}>`;
    case 'list':
      return `array<${hive(t.item)}>`;
    case 'map':
      return 'map<string,string>';
    default:
      return { utf8: 'string', json: 'string', int32: 'int', int64: 'bigint', float64: 'double', bool: 'boolean', timestamp: 'timestamp' }[t.kind];
  }
}

describe('Hive types', () => {
  const nested: ColumnType = {
    kind: 'struct',
    fields: [
      { name: 'group', type: { kind: 'struct', fields: [{ name: 'name', type: { kind: 'utf8' }, nullable: true }] }, nullable: true },
      { name: 'items', type: { kind: 'list', item: { kind: 'struct', fields: [{ name: 'time', type: { kind: 'timestamp' }, nullable: true }] } }, nullable: true },
      { name: 'labels', type: { kind: 'list', item: { kind: 'list', item: { kind: 'int64' } } }, nullable: true },
      { name: 'm', type: { kind: 'map' }, nullable: true },
      { name: 'score', type: { kind: 'float64' }, nullable: true },
      { name: 'ok', type: { kind: 'bool' }, nullable: true },
      { name: 'raw', type: { kind: 'json' }, nullable: true },
      { name: 'n', type: { kind: 'int32' }, nullable: true },
    ],
  };

  it('Glue spelling: struct<...>, array<...>, map<string,string>, no quoting', () => {
    expect(glueType(nested)).toBe(
      'struct<group:struct<name:string>,items:array<struct<time:timestamp>>,labels:array<array<bigint>>,m:map<string,string>,score:double,ok:boolean,raw:string,n:int>',
    );
    expect(glueType(nested)).toBe(hive(nested));
  });

  it('DDL spelling quotes every struct field name', () => {
    expect(ddlType(nested)).toBe(
      'struct<`group`:struct<`name`:string>,`items`:array<struct<`time`:timestamp>>,`labels`:array<array<bigint>>,`m`:map<string,string>,`score`:double,`ok`:boolean,`raw`:string,`n`:int>',
    );
    expect(ddlType({ kind: 'list', item: { kind: 'utf8' } })).toBe('array<string>');
  });
});

describe('names and locations', () => {
  it('database and table names (§3.5)', () => {
    expect(databaseName('us-east-1')).toBe('amazon_security_lake_glue_db_us_east_1');
    expect(databaseName('us-gov-west-1')).toBe('amazon_security_lake_glue_db_us_gov_west_1');
    expect(tableName('eu-west-2', 'native', 'SH_FINDINGS', '1.0')).toBe('amazon_security_lake_table_eu_west_2_sh_findings_1_0');
    expect(tableName('eu-west-2', 'custom', 'testCustom2', '1.0')).toBe('amazon_security_lake_table_eu_west_2_ext_testcustom2'); // §2.8 example
    expect(() => databaseName('US_EAST_1')).toThrow(CatalogError);
    expect(() => tableName('us-east-1', 'native', 'X', 'latest')).toThrow(CatalogError);
  });

  it('lake roots: s3 only, normalized slashes, {region} placeholder, no unsafe segments', () => {
    expect(lakeRoot('s3://bkt', 'us-east-1')).toBe('s3://bkt/');
    expect(lakeRoot('s3://bucket-1//a/b/', 'us-east-1')).toBe('s3://bucket-1/a/b/');
    expect(lakeRoot('s3://aws-security-data-lake-{region}-abc', 'eu-west-1')).toBe('s3://aws-security-data-lake-eu-west-1-abc/');
    for (const bad of ['/tmp/lake', 's3a://b/p', 's3://', 's3://B/p', "s3://b/it's", 's3://b/../x']) {
      expect(() => lakeRoot(bad, 'us-east-1'), bad).toThrow(CatalogError);
    }
  });

  it('per-region buckets give per-region locations', () => {
    const ts = planCatalog({ regions: ['us-east-1', 'eu-west-1'], location: 's3://lake-{region}/x', sources: [cases[0]![0]], sourceVersion: cases[0]![1] }).tables;
    expect(ts.map((t) => t.location)).toEqual([
      `s3://lake-us-east-1/x/aws/${cases[0]![0]}/${cases[0]![1]}/`,
      `s3://lake-eu-west-1/x/aws/${cases[0]![0]}/${cases[0]![1]}/`,
    ]);
  });
});

describe('source and version selection', () => {
  const vpc = listSources().find((d) => d.name === 'VPC_FLOW');
  const eks = listSources().find((d) => d.name === 'EKS_AUDIT');

  it('default: every registered source at every version; databases once per region', () => {
    const plan = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [vpc!] });
    expect(plan.tables.map((t) => t.sourceVersion)).toEqual(Object.keys(vpc!.versions));
    expect(plan.databases).toEqual([{ Name: 'amazon_security_lake_glue_db_us_east_1', region: 'us-east-1', Description: expect.any(String) }]);
  });

  it.runIf(vpc && eks)('an explicitly named source must have the version; others without it are skipped', () => {
    expect(() => planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: ['EKS_AUDIT'], sourceVersion: '1.0' })).toThrow(/EKS_AUDIT has no version 1.0/);
    const plan = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: ['vpc_flow', eks!.name.toLowerCase()], sourceVersion: 'latest' });
    expect(plan.tables.map((t) => `${t.source} ${t.sourceVersion}`)).toEqual(['VPC_FLOW 2.0', 'EKS_AUDIT 2.0']);
  });

  it('unknown sources and regions are configuration errors', () => {
    expect(() => planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: ['NOPE'] })).toThrow(/unknown source/);
    expect(() => planCatalog({ regions: ['moon-1'], location: LOCATION, sources: [acmeLogins] })).toThrow(CatalogError);
    expect(() => planCatalog({ regions: [], location: LOCATION, sources: [acmeLogins] })).toThrow(CatalogError);
  });
});

describe('partition projection', () => {
  const plan = (projection: Parameters<typeof planCatalog>[0]['projection']) =>
    planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [acmeLogins], sourceVersion: '1.0', projection }).tables[0]!.tableInput.Parameters!;

  it('default: region enum, accountid injected, eventday date yyyyMMdd from 20130101 to NOW', () => {
    expect(Object.fromEntries(Object.entries(plan(undefined)).filter(([k]) => k.startsWith('projection.') || k.startsWith('storage.')))).toEqual({
      'projection.enabled': 'true',
      'projection.region.type': 'enum',
      'projection.region.values': 'us-east-1',
      'projection.accountid.type': 'injected',
      'projection.eventday.type': 'date',
      'projection.eventday.format': 'yyyyMMdd',
      'projection.eventday.range': '20130101,NOW',
      'projection.eventday.interval': '1',
      'projection.eventday.interval.unit': 'DAYS',
      'storage.location.template': 's3://example-lake/security/ext/Acme-Logins.v1/1.0/region=${region}/accountId=${accountid}/eventDay=${eventday}/',
    });
  });

  it('accounts enumerate accountid; first day; off removes every projection parameter', () => {
    const p = plan({ accounts: ['111122223333', 'external', '111122223333'], firstDay: '20240229' });
    expect(p['projection.accountid.type']).toBe('enum');
    expect(p['projection.accountid.values']).toBe('111122223333,external');
    expect(p['projection.eventday.range']).toBe('20240229,NOW');
    const off = plan(false);
    expect(Object.keys(off).filter((k) => k.startsWith('projection.') || k === 'storage.location.template')).toEqual([]);
    expect(off.classification).toBe('parquet');
  });

  it('rejects bad accounts and days', () => {
    expect(() => plan({ accounts: ['1234'] })).toThrow(CatalogError);
    expect(() => plan({ accounts: [] })).toThrow(CatalogError);
    expect(() => plan({ firstDay: '20230230' })).toThrow(CatalogError);
    expect(() => plan({ firstDay: '2023-01-01' })).toThrow(CatalogError);
  });
});

describe('custom sources (ext/ layout)', () => {
  it('one-class source: table ..._ext_<lowercased name>, location ext/<name>/<version>/, that class only', () => {
    const [t] = planCatalog({ regions: ['eu-west-2'], location: LOCATION, sources: [acmeLogins], sourceVersion: '1.0' }).tables as [CatalogTable];
    expect(t.name).toBe('amazon_security_lake_table_eu_west_2_ext_acme_logins_v1');
    expect(t.location).toBe('s3://example-lake/security/ext/Acme-Logins.v1/1.0/');
    expect(t.layout).toBe('custom');
    expect(t.tableInput.Parameters).toMatchObject({ 'ocsf.layout': 'custom', 'ocsf.classes': '3002' });
    const schema = schemaFor(acmeLogins, '1.0', { layout: 'custom', classUid: 3002 });
    expect(t.tableInput.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(schema.fields.map((f) => f.name));
  });

  it('two versions of a custom source would share the table name: an error asking for one version', () => {
    expect(() => planCatalog({ regions: ['eu-west-2'], location: LOCATION, sources: [acmeLogins] })).toThrow(/both be table .*--source-version/);
  });

  it('several classes in one ext/ folder: one table over the union schema; per-class folders: one table each', () => {
    const shared = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [acmeAudit] }).tables;
    expect(shared.map((t) => t.name)).toEqual(['amazon_security_lake_table_us_east_1_ext_acme_audit']);
    const union = schemaFor(acmeAudit, '1.0', { layout: 'native' });
    expect(shared[0]!.tableInput.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(union.fields.map((f) => f.name));
    expect(shared[0]!.tableInput.Parameters).toMatchObject({ 'ocsf.layout': 'custom', 'ocsf.classes': '6003,3002,3001' });

    const names: Record<number, string> = { 6003: 'acme_api', 3002: 'acme_auth', 3001: 'acme_account' };
    const split = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [acmeAudit], customSourceName: (_s, c) => names[c]! }).tables;
    expect(split.map((t) => [t.name, t.location, t.tableInput.Parameters!['ocsf.classes']])).toEqual([
      ['amazon_security_lake_table_us_east_1_ext_acme_api', 's3://example-lake/security/ext/acme_api/1.0/', '6003'],
      ['amazon_security_lake_table_us_east_1_ext_acme_auth', 's3://example-lake/security/ext/acme_auth/1.0/', '3002'],
      ['amazon_security_lake_table_us_east_1_ext_acme_account', 's3://example-lake/security/ext/acme_account/1.0/', '3001'],
    ]);
    const api = schemaFor(acmeAudit, '1.0', { layout: 'custom', classUid: 6003 });
    expect(split[0]!.tableInput.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(api.fields.map((f) => f.name));
  });

  it('a native source cataloged in the custom layout goes to ext/<SOURCE>/<version>/', () => {
    const [t] = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [acmeLogins], sourceVersion: '2.0', layout: 'native' }).tables;
    expect([t!.name, t!.location]).toEqual(['amazon_security_lake_table_us_east_1_acme_logins_v1_2_0', 's3://example-lake/security/aws/Acme-Logins.v1/2.0/']);
  });
});

describe('ALTER TABLE ADD PARTITION (tables without projection)', () => {
  it('one PARTITION clause per partition with the camelCase directory as LOCATION', () => {
    const [t] = planCatalog({ regions: ['us-east-1'], location: LOCATION, sources: [acmeLogins], sourceVersion: '1.0', projection: false }).tables;
    expect(
      addPartitionsDdl(t!, [
        { region: 'us-east-1', accountId: '111122223333', eventDay: '20240301' },
        { region: 'us-east-1', accountId: 'external', eventDay: '20240302' },
      ]),
    ).toBe(
      [
        'ALTER TABLE `amazon_security_lake_glue_db_us_east_1`.`amazon_security_lake_table_us_east_1_ext_acme_logins_v1` ADD IF NOT EXISTS',
        "  PARTITION (`region`='us-east-1', `accountid`='111122223333', `eventday`='20240301') LOCATION 's3://example-lake/security/ext/Acme-Logins.v1/1.0/region=us-east-1/accountId=111122223333/eventDay=20240301/'",
        "  PARTITION (`region`='us-east-1', `accountid`='external', `eventday`='20240302') LOCATION 's3://example-lake/security/ext/Acme-Logins.v1/1.0/region=us-east-1/accountId=external/eventDay=20240302/';",
        '',
      ].join('\n'),
    );
    expect(addPartitionsDdl(t!, [])).toBe('');
    expect(() => addPartitionsDdl(t!, [{ region: 'us-east-1', accountId: "1'; DROP", eventDay: '20240301' }])).toThrow();
  });
});

it('PARQUET_SERDE is the Hive Parquet SerDe', () => {
  expect(PARQUET_SERDE).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
});
