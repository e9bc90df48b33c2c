/**
 * Hive column types of the writer's schemas, in the two spellings the catalog needs:
 *
 * - Glue `Column.Type` strings (`struct<name:string,uid:string>`): exactly the writer's `glueType`
 *   (Glue stores the string; Athena parses it with Hive's type parser, which needs no quoting);
 * - Athena DDL types, where every struct field name is backtick-quoted (`struct<`name`:string>`) because
 *   DDL parses field names as identifiers and OCSF uses Athena DDL-reserved words as field names
 *   (`api.group`, `actor.user`, `time`; quoting every name is simpler and safer than keeping a list).
 *
 * Mapping (writer leaf kind → Hive): utf8/json → string, int32 → int, int64 → bigint, float64 → double,
 * bool → boolean, timestamp (ms, UTC) → timestamp, struct → struct<...>, list → array<...>,
 * map (OCSF `unmapped`) → map<string,string>.
 */
import { glueType } from '../writer/schema-tree.js';
import type { ColumnType } from '../writer/schema-tree.js';

export { glueType };

/** A DDL identifier in backticks (a backtick inside is doubled, Hive's escape). */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Athena DDL spelling of a column type: like {@link glueType} with every struct field name quoted. */
export function ddlType(t: ColumnType): string {
  switch (t.kind) {
    case 'struct':
      return `struct<${t.fields.map((f) => `${quoteIdent(f.name)}:${ddlType(f.type)}`).join(',')}>`;
    case 'list':
      return `array<${ddlType(t.item)}>`;
    default:
      return glueType(t);
  }
}
