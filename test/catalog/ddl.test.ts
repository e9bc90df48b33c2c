/**
 * The Athena DDL parses the way Athena's (Hive) DDL parser needs: a small recursive-descent parser of
 * `CREATE EXTERNAL TABLE` / `CREATE DATABASE` written from the Hive grammar (identifiers, backtick
 * quoting, Hive string literals, struct/array/map types with balanced `<>`), checking that every column
 * of the writer's schema is there with the same type, and that no DDL-reserved word is left unquoted.
 * Also parses the Glue type strings the way Hive's TypeInfoUtils does (no quoting).
 */
import { describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import { listSources } from '../../src/core/source.js';
import { planCatalog } from '../../src/catalog/glue.js';
import type { CatalogTable } from '../../src/catalog/glue.js';
import { createDatabaseDdl, createTableDdl, hiveString, planDdl } from '../../src/catalog/ddl.js';
import { glueType } from '../../src/writer/schema-tree.js';
import { acmeAudit, acmeLogins } from './fixtures.js';

/** Athena's list of reserved keywords in DDL statements (docs.aws.amazon.com/athena/latest/ug/reserved-words.html). */
const DDL_RESERVED = new Set(
  `ALL ALTER AND ARRAY AS AUTHORIZATION BETWEEN BIGINT BINARY BOOLEAN BOTH BY CASE CASHE CAST CHAR COLUMN CONF CONSTRAINT
  COMMIT CREATE CROSS CUBE CURRENT CURRENT_DATE CURRENT_TIMESTAMP CURSOR DATABASE DATE DAYOFWEEK DECIMAL DELETE DESCRIBE
  DISTINCT DIV DOUBLE DROP ELSE END EXCHANGE EXISTS EXTENDED EXTERNAL EXTRACT FALSE FETCH FLOAT FLOOR FOLLOWING FOR
  FOREIGN FROM FULL FUNCTION GRANT GROUP GROUPING HAVING IF IMPORT IN INNER INSERT INT INTEGER INTERSECT INTERVAL INTO
  IS JOIN LATERAL LEFT LESS LIKE LOCAL MACRO MAP MORE NONE NOT NULL NUMERIC OF ON ONLY OR ORDER OUT OUTER OVER
  PARTIALSCAN PARTITION PERCENT PRECEDING PRECISION PRESERVE PRIMARY PROCEDURE RANGE READS REDUCE REGEXP REFERENCES
  REVOKE RIGHT RLIKE ROLLBACK ROLLUP ROW ROWS SELECT SET SMALLINT START TABLE TABLESAMPLE THEN TIME TIMESTAMP TO
  TRANSFORM TRIGGER TRUE TRUNCATE UNBOUNDED UNION UNIQUEJOIN UPDATE USER USING UTC_TMESTAMP VALUES VARCHAR VIEWS WHEN
  WHERE WINDOW WITH`.split(/\s+/),
);
const PRIMITIVES = new Set(['string', 'int', 'bigint', 'double', 'boolean', 'timestamp']);

type Tok = { t: 'id'; v: string; quoted: boolean } | { t: 'str'; v: string } | { t: 'p'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '`') {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated `identifier`');
        if (s[i] === '`') {
          if (s[i + 1] === '`') {
            v += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'id', v, quoted: true });
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated string');
        const d = s[i]!;
        if (d === '\\') {
          const e = s[i + 1]!;
          v += e === 'n' ? '\n' : e;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push({ t: 'str', v });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))![0];
      out.push({ t: 'id', v: m, quoted: false });
      i += m.length;
    } else if ('(),<>:.;='.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  return out;
}

interface ParsedTable {
  database: string;
  table: string;
  columns: [string, string][];
  comment?: string;
  partitions: [string, string][];
  serde: string;
  inputFormat: string;
  outputFormat: string;
  location: string;
  properties: Record<string, string>;
  /** Identifiers (column/field/table names) that were written without backticks. */
  bare: string[];
}

/** Parses one `CREATE EXTERNAL TABLE` statement (Hive grammar subset Athena accepts). Throws on anything else. */
function parseCreateTable(ddl: string): ParsedTable {
  const toks = tokenize(ddl);
  let i = 0;
  const bare: string[] = [];
  const peek = () => toks[i];
  const kw = (...words: string[]) => {
    for (const w of words) {
      const t = toks[i++];
      if (!t || t.t !== 'id' || t.quoted || t.v.toUpperCase() !== w) throw new Error(`expected ${w} at token ${i - 1}, got ${JSON.stringify(t)}`);
    }
  };
  const isKw = (w: string) => {
    const t = peek();
    return t?.t === 'id' && !t.quoted && t.v.toUpperCase() === w;
  };
  const punct = (p: string) => {
    const t = toks[i++];
    if (!t || t.t !== 'p' || t.v !== p) throw new Error(`expected ${p} at token ${i - 1}, got ${JSON.stringify(t)}`);
  };
  const str = () => {
    const t = toks[i++];
    if (!t || t.t !== 'str') throw new Error(`expected a string at token ${i - 1}`);
    return t.v;
  };
  const ident = () => {
    const t = toks[i++];
    if (!t || t.t !== 'id') throw new Error(`expected an identifier at token ${i - 1}, got ${JSON.stringify(t)}`);
    if (!t.quoted) {
      if (DDL_RESERVED.has(t.v.toUpperCase())) throw new Error(`reserved word ${t.v} used as an unquoted identifier`);
      bare.push(t.v);
    }
    return t.v;
  };
  // type := primitive | array<type> | map<primitive,type> | struct<ident:type,...>; returns Glue spelling.
  const type = (): string => {
    const t = toks[i++];
    if (!t || t.t !== 'id' || t.quoted) throw new Error(`expected a type at token ${i - 1}`);
    const name = t.v.toLowerCase();
    if (PRIMITIVES.has(name)) return name;
    if (name === 'array') {
      punct('<');
      const item = type();
      punct('>');
      return `array<${item}>`;
    }
    if (name === 'map') {
      punct('<');
      const k = type();
      if (!PRIMITIVES.has(k)) throw new Error('map keys must be primitive');
      punct(',');
      const v = type();
      punct('>');
      return `map<${k},${v}>`;
    }
    if (name === 'struct') {
      punct('<');
      const fields: string[] = [];
      const names = new Set<string>();
      do {
        if (fields.length > 0) punct(',');
        const f = ident();
        if (names.has(f)) throw new Error(`duplicate struct field ${f}`);
        names.add(f);
        punct(':');
        fields.push(`${f}:${type()}`);
      } while (peek()?.t === 'p' && peek()!.v === ',');
      punct('>');
      return `struct<${fields.join(',')}>`;
    }
    throw new Error(`unknown type ${t.v}`);
  };
  const columnList = (): [string, string][] => {
    punct('(');
    const cols: [string, string][] = [];
    do {
      if (cols.length > 0) punct(',');
      cols.push([ident(), type()]);
    } while (peek()?.t === 'p' && peek()!.v === ',');
    punct(')');
    return cols;
  };

  kw('CREATE', 'EXTERNAL', 'TABLE', 'IF', 'NOT', 'EXISTS');
  const database = ident();
  punct('.');
  const table = ident();
  const columns = columnList();
  let comment: string | undefined;
  if (isKw('COMMENT')) {
    kw('COMMENT');
    comment = str();
  }
  let partitions: [string, string][] = [];
  if (isKw('PARTITIONED')) {
    kw('PARTITIONED', 'BY');
    partitions = columnList();
  }
  kw('ROW', 'FORMAT', 'SERDE');
  const serde = str();
  kw('STORED', 'AS', 'INPUTFORMAT');
  const inputFormat = str();
  kw('OUTPUTFORMAT');
  const outputFormat = str();
  kw('LOCATION');
  const location = str();
  const properties: Record<string, string> = {};
  if (isKw('TBLPROPERTIES')) {
    kw('TBLPROPERTIES');
    punct('(');
    do {
      if (Object.keys(properties).length > 0) punct(',');
      const k = str();
      punct('=');
      properties[k] = str();
    } while (peek()?.t === 'p' && peek()!.v === ',');
    punct(')');
  }
  punct(';');
  if (i !== toks.length) throw new Error(`trailing tokens after ;`);
  return { database, table, columns, ...(comment !== undefined ? { comment } : {}), partitions, serde, inputFormat, outputFormat, location, properties, bare };
}

/** Parses a Glue `Column.Type` the way Hive's TypeInfoUtils does: `[A-Za-z0-9_]` names, `<>,:` separators. */
function parseGlueType(s: string): string {
  const toks = s.split(/([<>,:])/).filter((x) => x !== '');
  let i = 0;
  const next = () => toks[i++] ?? '';
  const type = (): string => {
    const name = next();
    if (PRIMITIVES.has(name)) return name;
    const expect = (p: string) => {
      const t = next();
      if (t !== p) throw new Error(`expected ${p}, got ${t} in ${s}`);
    };
    if (name === 'array') {
      expect('<');
      const t = type();
      expect('>');
      return `array<${t}>`;
    }
    if (name === 'map') {
      expect('<');
      const k = type();
      expect(',');
      const v = type();
      expect('>');
      return `map<${k},${v}>`;
    }
    if (name === 'struct') {
      expect('<');
      const fields: string[] = [];
      for (;;) {
        const f = next();
        if (!/^[A-Za-z0-9_]+$/.test(f)) throw new Error(`bad field name ${f} in ${s}`);
        expect(':');
        fields.push(`${f}:${type()}`);
        const sep = next();
        if (sep === '>') break;
        if (sep !== ',') throw new Error(`expected , or > in ${s}`);
      }
      return `struct<${fields.join(',')}>`;
    }
    throw new Error(`unknown type ${name} in ${s}`);
  };
  const out = type();
  if (i !== toks.length) throw new Error(`trailing text in ${s}`);
  return out;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s.replace(/'(?:\\.|[^'\\])*'/g, '')) {
    if (c === '<' || c === '(') depth++;
    if (c === '>' || c === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const builtins = listSources()
  .filter((d) => !d.custom)
  .flatMap((d) => Object.keys(d.versions).map((v) => [d.name, v] as const));

function checkTable(t: CatalogTable): void {
  const ddl = createTableDdl(t);
  expect(balanced(ddl), 'balanced <> and ()').toBe(true);
  const p = parseCreateTable(ddl);
  expect(p.bare, 'every identifier is quoted').toEqual([]);
  expect([p.database, p.table]).toEqual([t.database, t.name]);
  // every column of the writer's schema, in order, with the same type
  expect(p.columns).toEqual(t.schema.fields.map((f) => [f.name, glueType(f.type)]));
  expect(p.partitions).toEqual([
    ['region', 'string'],
    ['accountid', 'string'],
    ['eventday', 'string'],
  ]);
  const sd = t.tableInput.StorageDescriptor!;
  expect([p.serde, p.inputFormat, p.outputFormat, p.location]).toEqual([sd.SerdeInfo!.SerializationLibrary, sd.InputFormat, sd.OutputFormat, sd.Location]);
  const { EXTERNAL, ...props } = t.tableInput.Parameters!;
  expect(EXTERNAL).toBe('TRUE');
  expect(p.properties).toEqual(props);
  expect(p.comment).toBe(t.tableInput.Description);
  // the Glue spelling parses too and names the same types
  for (const c of sd.Columns!) expect(parseGlueType(c.Type!)).toBe(c.Type);
}

describe('Athena DDL of every registered source at every version', () => {
  it.each(builtins)('%s %s parses, quotes every identifier, has every column', (source, version) => {
    const plan = planCatalog({ regions: ['us-east-1'], location: 's3://lake/p', sources: [source], sourceVersion: version });
    for (const t of plan.tables) checkTable(t);
  });

  it('custom-layout tables and tables without projection parse too', () => {
    for (const t of planCatalog({ regions: ['eu-west-2'], location: 's3://lake/p', sources: [acmeAudit, acmeLogins], sourceVersion: '1.0', projection: false }).tables) {
      checkTable(t);
      expect(createTableDdl(t)).not.toContain('projection.');
    }
  });

  it('reserved words used by OCSF appear only quoted', () => {
    const ddl = planDdl(planCatalog({ regions: ['us-east-1'], location: 's3://lake/p', sources: [acmeAudit] }));
    expect(ddl).toContain('`time` bigint');
    expect(ddl).toMatch(/`user` struct</);
    expect(ddl).not.toMatch(/[^`]\btime\b[^`_]/);
  });
});

describe('DDL pieces', () => {
  it('database statement', () => {
    expect(createDatabaseDdl({ Name: 'amazon_security_lake_glue_db_us_east_1', Description: "it's" })).toBe(
      "CREATE DATABASE IF NOT EXISTS `amazon_security_lake_glue_db_us_east_1`\nCOMMENT 'it\\'s';\n",
    );
    expect(createDatabaseDdl({ Name: 'db' })).toBe('CREATE DATABASE IF NOT EXISTS `db`;\n');
  });

  it('Hive string literals escape quotes, backslashes and newlines', () => {
    const s = "a'b\\c\nd";
    const toks = tokenize(hiveString(s));
    expect(toks).toEqual([{ t: 'str', v: s }]);
  });

  it('the whole plan: databases then tables, one statement each', () => {
    const plan = planCatalog({ regions: ['us-east-1', 'eu-west-1'], location: 's3://lake/p', sources: [acmeLogins], sourceVersion: '2.0' });
    const statements = planDdl(plan)
      .split(/;\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements.map((s) => s.split('\n')[0])).toEqual([
      'CREATE DATABASE IF NOT EXISTS `amazon_security_lake_glue_db_us_east_1`',
      'CREATE DATABASE IF NOT EXISTS `amazon_security_lake_glue_db_eu_west_1`',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `amazon_security_lake_glue_db_us_east_1`.`amazon_security_lake_table_us_east_1_ext_acme_logins_v1` (',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `amazon_security_lake_glue_db_eu_west_1`.`amazon_security_lake_table_eu_west_1_ext_acme_logins_v1` (',
    ]);
    for (const s of statements.slice(2)) expect(() => parseCreateTable(s + ';')).not.toThrow();
  });

  it('the parser rejects what Athena would reject', () => {
    const ok = createTableDdl(planCatalog({ regions: ['us-east-1'], location: 's3://lake/p', sources: [acmeLogins], sourceVersion: '1.0' }).tables[0]!);
    expect(() => parseCreateTable(ok.replace('`time` bigint', 'time bigint'))).toThrow(/reserved word time/);
    expect(() => parseCreateTable(ok.replace('map<string,string>', 'map<string,string'))).toThrow();
    expect(() => parseCreateTable(ok.replace(/,\n {2}`metadata`/, '\n  `metadata`'))).toThrow();
    expect(() => parseGlueType('struct<a:string')).toThrow();
  });
});
