/**
 * Source version 2.0 class choice (mapping-spec §6.1, [INFERRED]/[OPEN]; rules in the 1.1.0 table's
 * `routing`): the ProductArn product path decides first (`aws/inspector` → 2002, `aws/securityhub` →
 * 2003, `aws/guardduty` / `aws/macie` → 2004) unless the finding lacks the data its class requires;
 * every other finding is routed by content (`Vulnerabilities` → 2002, `Compliance` → 2003, else 2004).
 */
import type { MappingTable } from './tables.js';
import { isObj } from './values.js';
import type { Obj } from './values.js';

type Test = 'non-empty-array' | 'object';

export interface Routing {
  byProduct: ReadonlyMap<string, number>;
  /** Class uid → raw field it needs, checked with the same test as the content rule on that field. */
  requires: ReadonlyMap<number, { field: string; test: Test }>;
  byContent: readonly { field: string; test: Test; class: number }[];
  default: number;
}

export function compileRouting(table: MappingTable): Routing {
  const requires = new Map<number, { field: string; test: Test }>();
  for (const [cls, field] of Object.entries(table.routing.requires ?? {})) {
    const test = table.routing.byContent.find((c) => c.field === field)?.test ?? 'object';
    requires.set(Number(cls), { field, test });
  }
  return {
    byProduct: new Map(Object.entries(table.routing.byProduct)),
    requires,
    byContent: table.routing.byContent.map((r) => ({ ...r })),
    default: table.routing.default,
  };
}

function has(raw: Obj, field: string, test: Test): boolean {
  const v = raw[field];
  return test === 'object' ? isObj(v) : Array.isArray(v) && v.length > 0;
}

/** The OCSF class of one finding; `productKey` is `<company>/<product>` from its ProductArn. */
export function routeClass(raw: Obj, productKey: string | undefined, r: Routing): number {
  if (productKey !== undefined) {
    const cls = r.byProduct.get(productKey);
    if (cls !== undefined) {
      const need = r.requires.get(cls);
      if (need === undefined || has(raw, need.field, need.test)) return cls;
    }
  }
  for (const rule of r.byContent) if (has(raw, rule.field, rule.test)) return rule.class;
  return r.default;
}
