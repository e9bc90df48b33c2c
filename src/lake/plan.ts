/**
 * The collection plan: the configuration compiled once into a lookup the pipeline calls per record
 * group. `lookup(sourceName, region, accountId)` answers with the enabled versions (one output per
 * version) or with the reason the records are not collected, to be counted as `Filtered` reasons.
 *
 * Reasons, checked in this order:
 * 1. `region-not-enabled` — the data lake is not enabled in the record's Region (or it has none);
 *    detail: the Region.
 * 2. `source-not-enabled` — no version of the source is enabled in that Region for any account;
 *    detail: the Region.
 * 3. `account-not-enabled` — the source is enabled in that Region, but not for this account (or the
 *    account is not in the lake's organization); detail: the account id (or `unknown`).
 *
 * Compiling costs O(enablements + explicitly named accounts). A lookup is three Map gets and
 * allocates nothing when the records are collected; the returned objects are frozen and shared.
 * The plan is built from a plain JSON document, so a worker thread can compile its own copy from
 * `plan.document` (structured-clone it through `postMessage`).
 */
import type { DataLakeDocument, SourceEnablement } from './types.js';
import { sortVersions } from './catalog.js';

/** Filtered reason codes the plan returns, with their meaning. */
export const COLLECTION_FILTER_REASONS = {
  'region-not-enabled': 'the data lake is not enabled in the record\'s Region (createDataLake)',
  'source-not-enabled': 'the source is not enabled in the record\'s Region for any account (createAwsLogSource)',
  'account-not-enabled': 'the source is enabled in the Region, but not for the record\'s account',
} as const;
export type NotCollectedReason = keyof typeof COLLECTION_FILTER_REASONS;

export interface Collected {
  readonly collect: true;
  /** Enabled versions, ascending; write one output per version. Never empty. */
  readonly versions: readonly string[];
}
export interface NotCollected {
  readonly collect: false;
  readonly reason: NotCollectedReason;
  /** Region (first two reasons) or account id (`account-not-enabled`). */
  readonly detail: string;
}
export type CollectionDecision = Collected | NotCollected;

export interface CollectionPlan {
  /** Revision of the configuration document this plan was compiled from. */
  readonly revision: number;
  /** The configuration snapshot (plain JSON) — pass it to workers and call {@link compileCollectionPlan}. */
  readonly document: DataLakeDocument;
  /** What to do with records of `sourceName` from `region` and `accountId`. */
  lookup(sourceName: string, region: string | undefined, accountId: string | undefined): CollectionDecision;
  /** Every (source, version) enabled somewhere, for opening writers ahead of time. */
  enabledSources(): readonly { sourceName: string; sourceVersion: string }[];
}

interface RegionScope {
  /** Decision for accounts not named in any enablement of this (source, region). */
  readonly other: CollectionDecision;
  readonly named: ReadonlyMap<string, CollectionDecision>;
}

function collected(versions: string[]): Collected {
  return Object.freeze({ collect: true as const, versions: Object.freeze(sortVersions(versions)) });
}

/** Compiles a configuration document into a {@link CollectionPlan}. */
export function compileCollectionPlan(document: DataLakeDocument): CollectionPlan {
  const regions = new Set(document.dataLakes.map((d) => d.region));
  const org = document.organizationAccounts ? new Set(document.organizationAccounts) : undefined;
  const grouped = new Map<string, Map<string, SourceEnablement[]>>();
  const enabled = new Map<string, { sourceName: string; sourceVersion: string }>();
  for (const e of document.sources) {
    if (!regions.has(e.region)) continue;
    let byRegion = grouped.get(e.sourceName);
    if (!byRegion) grouped.set(e.sourceName, (byRegion = new Map()));
    let list = byRegion.get(e.region);
    if (!list) byRegion.set(e.region, (list = []));
    list.push(e);
    enabled.set(`${e.sourceName}\u0000${e.sourceVersion}`, { sourceName: e.sourceName, sourceVersion: e.sourceVersion });
  }

  const bySource = new Map<string, Map<string, RegionScope>>();
  for (const [source, byRegion] of grouped) {
    const scopes = new Map<string, RegionScope>();
    for (const [region, list] of byRegion) {
      const namedAccounts = new Set<string>([...(org ?? [])]);
      for (const e of list) for (const a of [...e.accounts, ...e.exceptAccounts]) namedAccounts.add(a);
      const enablements = list.map((e) => ({ version: e.sourceVersion, all: e.allAccounts, accounts: new Set(e.allAccounts ? e.exceptAccounts : e.accounts) }));
      const cache = new Map<string, CollectionDecision>();
      const decide = (account: string | undefined): CollectionDecision => {
        if (org && (account === undefined || !org.has(account))) {
          return Object.freeze({ collect: false as const, reason: 'account-not-enabled' as const, detail: account ?? 'unknown' });
        }
        // all: every account except the set; otherwise exactly the set.
        const versions = enablements
          .filter((x) => (x.all ? account === undefined || !x.accounts.has(account) : account !== undefined && x.accounts.has(account)))
          .map((x) => x.version);
        const key = versions.join(',');
        if (versions.length === 0) {
          return Object.freeze({ collect: false as const, reason: 'account-not-enabled' as const, detail: account ?? 'unknown' });
        }
        let d = cache.get(key);
        if (!d) cache.set(key, (d = collected(versions)));
        return d;
      };
      const named = new Map<string, CollectionDecision>();
      for (const a of namedAccounts) named.set(a, decide(a));
      scopes.set(region, { other: decide(undefined), named });
    }
    bySource.set(source, scopes);
  }
  const enabledList = Object.freeze([...enabled.values()].map((x) => Object.freeze(x)));

  return {
    revision: document.revision,
    document,
    lookup(sourceName, region, accountId) {
      if (region === undefined || !regions.has(region)) {
        return { collect: false, reason: 'region-not-enabled', detail: region ?? 'unknown' };
      }
      const scope = bySource.get(sourceName)?.get(region);
      if (scope === undefined) return { collect: false, reason: 'source-not-enabled', detail: region };
      if (accountId === undefined) return scope.other.collect ? scope.other : { collect: false, reason: 'account-not-enabled', detail: 'unknown' };
      const d = scope.named.get(accountId) ?? scope.other;
      return d.collect ? d : { collect: false, reason: 'account-not-enabled', detail: accountId };
    },
    enabledSources: () => enabledList,
  };
}
