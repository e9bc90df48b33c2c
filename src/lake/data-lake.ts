/**
 * Source management with Amazon Security Lake's API semantics (`../shared/docs/security-lake.md` §2),
 * over a configuration stored as JSON in the lake root (a local directory or `s3://bucket/prefix`).
 *
 * ```ts
 * const lake = openDataLake({ root: './lake' });            // or 's3://bucket/prefix', s3Client
 * await lake.createDataLake({ regions: ['us-east-1'] });
 * await lake.createAwsLogSource({ sources: [{ sourceName: 'CLOUD_TRAIL_MGMT', regions: ['us-east-1'] }] });
 * const plan = await lake.collectionPlan();                  // pipeline: once per run
 * plan.lookup('CLOUD_TRAIL_MGMT', 'us-east-1', '123456789012'); // { collect: true, versions: ['2.0'] }
 * await lake.recordCollection([{ account, region, sourceName, sourceVersion, events, lastEventTime }], { runId });
 * await lake.getDataLakeSources({ accounts: ['123456789012'] }); // COLLECTING / NOT_COLLECTING / MISCONFIGURED
 * ```
 *
 * Every change is a compare-and-swap on the stored document (see `config-store.ts`), so concurrent
 * callers in any number of processes never lose a change. Deleting sources or Regions only changes
 * the configuration: data already written is never touched.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientOptions } from '../io/s3.js';
import { listSources } from '../core/source.js';
import {
  ACCOUNT_RE,
  acceptedVersions,
  canEmit,
  checkAccounts,
  checkMaxResults,
  checkRegions,
  checkSourceName,
  decodeToken,
  defaultVersion,
  encodeToken,
  isCustomSource,
  REGION_RE,
  resolveVersion,
  compareVersions,
  SOURCE_VERSION_RE,
  STATUS_ACCOUNT_RE,
  isKnownSource,
} from './catalog.js';
import { openConfigStore, parseS3Uri, readDocument, updateDocument } from './config-store.js';
import type { ConfigStore } from './config-store.js';
import { BadRequestException, ResourceNotFoundException } from './errors.js';
import { compileCollectionPlan } from './plan.js';
import type { CollectionPlan } from './plan.js';
import { ALL_ACCOUNTS } from './types.js';
import type {
  AccountStatusDocument,
  CollectionStats,
  CollectionStatusEntry,
  CreateAwsLogSourceOptions,
  CreateAwsLogSourceRequest,
  CreateAwsLogSourceResponse,
  CreateDataLakeRequest,
  CreateDataLakeResponse,
  DataLakeConfiguration,
  DataLakeDocument,
  DataLakeResource,
  DataLakeSource,
  DataLakeSourceStatus,
  DeleteAwsLogSourceRequest,
  DeleteAwsLogSourceResponse,
  DeleteDataLakeRequest,
  DeleteDataLakeResponse,
  GetDataLakeSourcesRequest,
  GetDataLakeSourcesResponse,
  ListDataLakesRequest,
  ListDataLakesResponse,
  ListLogSourcesRequest,
  ListLogSourcesResponse,
  LogSource,
  LogSourceResource,
  RecordCollectionOptions,
  RecordCollectionResult,
  SourceEnablement,
  StoredDataLake,
  UpdateDataLakeRequest,
  UpdateDataLakeResponse,
} from './types.js';

export interface OpenDataLakeOptions {
  /** Lake root: a local directory or `s3://bucket/prefix`. The configuration lives under `<root>/_ocsf_lake/`. */
  root: string;
  /** Client for an `s3://` root. Default: one made on first use by `createS3Client(s3ClientOptions)` (src/io/s3.ts). */
  s3Client?: S3Client;
  /** Endpoint, path style, region, credentials for the default client (S3-compatible stores). */
  s3ClientOptions?: S3ClientOptions;
  /** A custom document store (overrides `root`'s default store; `root` still names the data location). */
  store?: ConfigStore;
  /** Account id used in `dataLakeArn`s (default: empty account field). */
  ownerAccountId?: string;
  /** Compare-and-swap attempts before a ConflictException (default 64). */
  maxAttempts?: number;
  /** Called each time a write lost a race and is retried (metrics, tests). */
  onConflict?: (attempt: number) => void;
}

const CONFIG_KEY = 'datalake';
const statusKey = (account: string) => `status/${account}`;
const MAX_RUN_IDS = 32;

/** Opens a data lake (no I/O until the first call). */
export function openDataLake(opts: OpenDataLakeOptions): DataLake {
  return new DataLake(opts);
}

function emptyConfig(): DataLakeDocument {
  return { format: 'ocsf-lake.datalake', formatVersion: 1, revision: 0, dataLakes: [], sources: [] };
}
function emptyStatus(account: string): AccountStatusDocument {
  return { format: 'ocsf-lake.collection-status', formatVersion: 1, revision: 0, account, entries: [] };
}
function stamp(doc: { revision: number; updatedAt?: string }): void {
  doc.revision += 1;
  doc.updatedAt = new Date().toISOString();
}
function checkDocument(doc: DataLakeDocument | undefined, location: string): DataLakeDocument {
  if (doc === undefined) return emptyConfig();
  if (doc.format !== 'ocsf-lake.datalake' || doc.formatVersion !== 1 || !Array.isArray(doc.sources) || !Array.isArray(doc.dataLakes)) {
    throw new BadRequestException(`${location}: not an ocsf-lake data lake configuration (format ${JSON.stringify(doc.format)})`);
  }
  return doc;
}

/** True when the enablement covers the account. */
function covers(e: SourceEnablement, account: string): boolean {
  return e.allAccounts ? !e.exceptAccounts.includes(account) : e.accounts.includes(account);
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/** Removes `accounts` (undefined: all) from an enablement; returns false when nothing remains. */
function removeAccounts(e: SourceEnablement, accounts: readonly string[] | undefined): boolean {
  if (accounts === undefined) return false;
  if (e.allAccounts) e.exceptAccounts = sortedUnique([...e.exceptAccounts, ...accounts]);
  else e.accounts = e.accounts.filter((a) => !accounts.includes(a));
  return e.allAccounts || e.accounts.length > 0;
}

function normalize(doc: DataLakeDocument): void {
  doc.sources.sort(
    (a, b) => cmp(a.sourceName, b.sourceName) || compareVersions(a.sourceVersion, b.sourceVersion) || cmp(a.region, b.region),
  );
  doc.dataLakes.sort((a, b) => cmp(a.region, b.region));
}

/** Locale-independent string order. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** A data lake: its configuration, the collection plan for the pipeline, and the collection status. */
export class DataLake {
  /** The lake root as given (`s3://…`) or resolved to an absolute directory. */
  readonly root: string;
  readonly store: ConfigStore;
  private readonly ownerAccountId: string;
  private readonly s3Bucket: string | undefined;
  private readonly update: { maxAttempts?: number; onConflict?: (attempt: number) => void };

  constructor(opts: OpenDataLakeOptions) {
    if (typeof opts.root !== 'string' || opts.root === '') throw new BadRequestException('root is required');
    const s3 = opts.root.startsWith('s3://');
    this.root = s3 ? opts.root.replace(/\/+$/, '') : resolve(opts.root);
    this.s3Bucket = s3 ? parseS3Uri(opts.root).bucket : undefined;
    this.store = opts.store ?? openConfigStore(opts.root, opts.s3Client, opts.s3ClientOptions);
    if (opts.ownerAccountId !== undefined && !ACCOUNT_RE.test(opts.ownerAccountId)) {
      throw new BadRequestException(`ownerAccountId: invalid account id ${JSON.stringify(opts.ownerAccountId)}`);
    }
    this.ownerAccountId = opts.ownerAccountId ?? '';
    this.update = {
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
      ...(opts.onConflict ? { onConflict: opts.onConflict } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Configuration document

  /** The current configuration document (a snapshot; an empty one when the lake was never configured). */
  async readConfiguration(): Promise<DataLakeDocument> {
    return checkDocument(await readDocument<DataLakeDocument>(this.store, CONFIG_KEY), this.store.location);
  }

  private async mutate<R>(fn: (doc: DataLakeDocument) => R): Promise<R> {
    const { result } = await updateDocument(
      this.store,
      CONFIG_KEY,
      emptyConfig,
      (doc) => {
        checkDocument(doc, this.store.location);
        const r = fn(doc);
        normalize(doc);
        return r;
      },
      { ...this.update, stamp },
    );
    return result;
  }

  private requireRegions(doc: DataLakeDocument, regions: Iterable<string>): void {
    const enabled = new Set(doc.dataLakes.map((d) => d.region));
    const missing = sortedUnique([...regions].filter((r) => !enabled.has(r)));
    if (missing.length > 0) {
      throw new ResourceNotFoundException(
        `The data lake is not enabled in Region${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; call createDataLake first`,
        { resourceName: missing[0]!, resourceType: 'DataLake', regions: missing },
      );
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Data lake lifecycle (§2.7)

  /**
   * Enables the data lake in Regions. For a Region already enabled, updates it with the parameters
   * given (parameters not given are kept), as Security Lake's CreateDataLake does.
   */
  async createDataLake(req: CreateDataLakeRequest): Promise<CreateDataLakeResponse> {
    return this.putDataLakes(req, 'createDataLake');
  }

  /** UpdateDataLake: like {@link createDataLake}, but every Region must already be enabled. */
  async updateDataLake(req: UpdateDataLakeRequest): Promise<UpdateDataLakeResponse> {
    return this.putDataLakes(req, 'updateDataLake');
  }

  private async putDataLakes(req: CreateDataLakeRequest, op: 'createDataLake' | 'updateDataLake'): Promise<CreateDataLakeResponse> {
    const configs = checkDataLakeRequest(req);
    const requestId = randomUUID();
    const now = new Date().toISOString();
    const regions = [...configs.keys()];
    const doc = await this.mutate((doc) => {
      if (op === 'updateDataLake') this.requireRegions(doc, regions);
      for (const [region, c] of configs) {
        let d = doc.dataLakes.find((x) => x.region === region);
        if (!d) doc.dataLakes.push((d = { region, createdAt: now, updatedAt: now, lastRequestId: requestId }));
        else Object.assign(d, { updatedAt: now, lastRequestId: requestId });
        if (c.encryptionConfiguration) d.encryptionConfiguration = c.encryptionConfiguration;
        if (c.lifecycleConfiguration) d.lifecycleConfiguration = c.lifecycleConfiguration;
        if (c.replicationConfiguration) d.replicationConfiguration = c.replicationConfiguration;
      }
      if (req.metaStoreManagerRoleArn !== undefined) doc.metaStoreManagerRoleArn = req.metaStoreManagerRoleArn;
      if (req.tags !== undefined) doc.tags = req.tags.map((t) => ({ key: t.key, value: t.value }));
      return doc;
    });
    return { dataLakes: doc.dataLakes.filter((d) => configs.has(d.region)).map((d) => this.toResource(d)) };
  }

  /**
   * Disables the data lake in Regions (each must be enabled): the Regions and every source enabled in
   * them are removed from the configuration. Data already written stays.
   */
  async deleteDataLake(req: DeleteDataLakeRequest): Promise<DeleteDataLakeResponse> {
    const regions = checkRegions(req?.regions, 'regions', true)!;
    await this.mutate((doc) => {
      this.requireRegions(doc, regions);
      doc.dataLakes = doc.dataLakes.filter((d) => !regions.includes(d.region));
      doc.sources = doc.sources.filter((s) => !regions.includes(s.region));
    });
    return {};
  }

  /** The Regions where the data lake is enabled (optionally only these `regions`). */
  async listDataLakes(req: ListDataLakesRequest = {}): Promise<ListDataLakesResponse> {
    const regions = checkRegions(req.regions, 'regions', false);
    const doc = await this.readConfiguration();
    return {
      dataLakes: doc.dataLakes.filter((d) => regions === undefined || regions.includes(d.region)).map((d) => this.toResource(d)),
    };
  }

  private toResource(d: StoredDataLake): DataLakeResource {
    return {
      dataLakeArn: `arn:aws:securitylake:${d.region}:${this.ownerAccountId}:data-lake/default`,
      region: d.region,
      ...(this.s3Bucket ? { s3BucketArn: `arn:aws:s3:::${this.s3Bucket}` } : {}),
      createStatus: 'COMPLETED',
      updateStatus: { requestId: d.lastRequestId, status: 'COMPLETED' },
      encryptionConfiguration: d.encryptionConfiguration ?? { kmsKeyId: 'S3_MANAGED_KEY' },
      ...(d.lifecycleConfiguration ? { lifecycleConfiguration: d.lifecycleConfiguration } : {}),
      ...(d.replicationConfiguration ? { replicationConfiguration: d.replicationConfiguration } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Organization (extension)

  /**
   * Sets the accounts of the lake's organization (`undefined` clears it). When set, sources enabled
   * without `accounts` cover exactly these accounts (also members added later), create/delete calls
   * naming other accounts list them in `failed`, and records of other accounts are not collected.
   */
  async setOrganizationAccounts(req: { accounts?: string[] }): Promise<{ accounts?: string[] }> {
    const accounts = checkAccounts(req?.accounts, 'accounts');
    await this.mutate((doc) => {
      if (accounts === undefined) delete doc.organizationAccounts;
      else doc.organizationAccounts = accounts;
    });
    return accounts === undefined ? {} : { accounts };
  }

  // -------------------------------------------------------------------------------------------------
  // AWS log sources (§2.2–2.4)

  /**
   * Enables sources. Each entry: `sourceName`, `regions` (required; the data lake must be enabled in
   * each, else ResourceNotFoundException naming them), `accounts` (omitted: every account, including
   * accounts seen later) and `sourceVersion` (omitted or `latest`: the latest version this library
   * supports). Several versions of a source can be enabled at once; `{ latestOnly: true }` disables
   * the older ones. All-or-nothing: a validation error changes nothing.
   */
  async createAwsLogSource(req: CreateAwsLogSourceRequest, opts: CreateAwsLogSourceOptions = {}): Promise<CreateAwsLogSourceResponse> {
    const entries = checkSourceRequest(req, 'create');
    if (opts.latestOnly) {
      for (const [i, e] of entries.entries()) {
        const latest = defaultVersion(e.sourceName);
        if (e.version !== latest) {
          throw new BadRequestException(`sources[${i}].sourceVersion: latestOnly needs the latest version of ${e.sourceName} (${latest}), got ${e.version}`);
        }
      }
    }
    return this.mutate((doc) => {
      this.requireRegions(doc, entries.flatMap((e) => e.regions));
      const failed = new Set<string>();
      for (const e of entries) {
        const accounts = this.members(doc, e.accounts, failed);
        if (accounts !== undefined && accounts.length === 0) continue;
        for (const region of e.regions) {
          let en = doc.sources.find((s) => s.sourceName === e.sourceName && s.sourceVersion === e.version && s.region === region);
          if (!en) {
            en = { sourceName: e.sourceName, sourceVersion: e.version!, region, allAccounts: false, accounts: [], exceptAccounts: [] };
            doc.sources.push(en);
          }
          if (accounts === undefined) Object.assign(en, { allAccounts: true, accounts: [], exceptAccounts: [] });
          else if (en.allAccounts) en.exceptAccounts = en.exceptAccounts.filter((a) => !accounts.includes(a));
          else en.accounts = sortedUnique([...en.accounts, ...accounts]);
          if (opts.latestOnly) {
            const older = doc.sources.filter(
              (s) => s.sourceName === e.sourceName && s.region === region && compareVersions(s.sourceVersion, e.version!) < 0,
            );
            for (const o of older) if (!removeAccounts(o, accounts)) doc.sources.splice(doc.sources.indexOf(o), 1);
          }
        }
      }
      return { failed: [...failed].sort() };
    });
  }

  /**
   * Disables sources (same request shape). `sourceVersion` omitted means every enabled version of the
   * source (the "omitted = entire set" rule, §2.4); `accounts` omitted means every account. Collection
   * stops; data already written is kept. Disabling something that is not enabled is a no-op.
   */
  async deleteAwsLogSource(req: DeleteAwsLogSourceRequest): Promise<DeleteAwsLogSourceResponse> {
    const entries = checkSourceRequest(req, 'delete');
    return this.mutate((doc) => {
      this.requireRegions(doc, entries.flatMap((e) => e.regions));
      const failed = new Set<string>();
      for (const e of entries) {
        const accounts = this.members(doc, e.accounts, failed);
        if (accounts !== undefined && accounts.length === 0) continue;
        const hit = doc.sources.filter(
          (s) => s.sourceName === e.sourceName && (e.version === undefined || s.sourceVersion === e.version) && e.regions.includes(s.region),
        );
        for (const s of hit) if (!removeAccounts(s, accounts)) doc.sources.splice(doc.sources.indexOf(s), 1);
      }
      return { failed: [...failed].sort() };
    });
  }

  /** Splits requested accounts into members (returned) and non-members (added to `failed`). */
  private members(doc: DataLakeDocument, accounts: string[] | undefined, failed: Set<string>): string[] | undefined {
    if (accounts === undefined || doc.organizationAccounts === undefined) return accounts;
    const org = new Set(doc.organizationAccounts);
    for (const a of accounts) if (!org.has(a)) failed.add(a);
    return accounts.filter((a) => org.has(a));
  }

  /**
   * ListLogSources: the sources enabled per account and Region. Without an `accounts` filter, the
   * sources enabled for every account are listed under account {@link ALL_ACCOUNTS} (`*`), and each
   * account named in the configuration gets its own entry with everything that covers it.
   */
  async listLogSources(req: ListLogSourcesRequest = {}): Promise<ListLogSourcesResponse> {
    const accountsFilter = checkAccounts(req.accounts, 'accounts');
    const regionsFilter = checkRegions(req.regions, 'regions', false);
    const match = sourceFilter(req.sources);
    const max = checkMaxResults(req.maxResults);
    const offset = decodeToken('listLogSources', req.nextToken);
    const doc = await this.readConfiguration();
    const org = doc.organizationAccounts ? new Set(doc.organizationAccounts) : undefined;
    const regions = doc.dataLakes.map((d) => d.region).filter((r) => regionsFilter === undefined || regionsFilter.includes(r));
    const rows: LogSource[] = [];
    const add = (account: string, pick: (e: SourceEnablement) => boolean) => {
      for (const region of regions) {
        const sources: LogSourceResource[] = doc.sources
          .filter((e) => e.region === region && match(e) && pick(e))
          .map((e) => ({ awsLogSource: { sourceName: e.sourceName, sourceVersion: e.sourceVersion } }));
        if (sources.length > 0) rows.push({ account, region, sources });
      }
    };
    if (accountsFilter === undefined) add(ALL_ACCOUNTS, (e) => e.allAccounts);
    const accounts = accountsFilter ?? sortedUnique([...(doc.organizationAccounts ?? []), ...doc.sources.flatMap((e) => [...e.accounts, ...e.exceptAccounts])]);
    for (const a of accounts) add(a, (e) => (org === undefined || org.has(a)) && covers(e, a));
    const page = rows.slice(offset, offset + max);
    return { sources: page, ...(offset + max < rows.length ? { nextToken: encodeToken('listLogSources', offset + max) } : {}) };
  }

  // -------------------------------------------------------------------------------------------------
  // Pipeline interface

  /**
   * The current configuration compiled into a fast lookup (one read). Call it once per run (or when
   * the configuration may have changed); see `plan.ts` for the reasons it returns.
   */
  async collectionPlan(): Promise<CollectionPlan> {
    return compileCollectionPlan(await this.readConfiguration());
  }

  /**
   * Records what a run collected, per (account, region, source, version): events written, failures,
   * first/last event time, and a run-level error. Totals accumulate over runs; with `runId`, a key
   * already recorded for that run is skipped, so a retried call does not count twice. One
   * compare-and-swap per account (accounts are separate documents, written in parallel).
   */
  async recordCollection(stats: readonly CollectionStats[], opts: RecordCollectionOptions = {}): Promise<RecordCollectionResult> {
    const merged = mergeStats(stats);
    const at = new Date(opts.at ?? Date.now());
    if (Number.isNaN(at.getTime())) throw new BadRequestException(`at: invalid time ${JSON.stringify(opts.at)}`);
    const atIso = at.toISOString();
    const runId = opts.runId;
    if (runId !== undefined && (typeof runId !== 'string' || runId === '' || runId.length > 256)) {
      throw new BadRequestException('runId must be a non-empty string of at most 256 characters');
    }
    const byAccount = new Map<string, CollectionStats[]>();
    for (const s of merged) {
      const list = byAccount.get(s.account);
      if (list) list.push(s);
      else byAccount.set(s.account, [s]);
    }
    const results = await mapLimit([...byAccount], 8, async ([account, list]) => {
      const { result } = await updateDocument(
        this.store,
        statusKey(account),
        () => emptyStatus(account),
        (doc) => {
          let recorded = 0;
          let duplicates = 0;
          for (const s of list) {
            let e = doc.entries.find((x) => x.region === s.region && x.sourceName === s.sourceName && x.sourceVersion === s.sourceVersion);
            if (e && runId !== undefined && e.recentRunIds.includes(runId)) {
              duplicates++;
              continue;
            }
            if (!e) {
              e = {
                region: s.region,
                sourceName: s.sourceName,
                sourceVersion: s.sourceVersion,
                runs: 0,
                eventCount: 0,
                failureCount: 0,
                lastRun: { at: atIso, events: 0, failures: 0 },
                recentRunIds: [],
              };
              doc.entries.push(e);
            }
            applyStats(e, s, atIso, runId);
            recorded++;
          }
          doc.entries.sort((a, b) => cmp(a.sourceName, b.sourceName) || cmp(a.region, b.region) || compareVersions(a.sourceVersion, b.sourceVersion));
          return { recorded, duplicates };
        },
        { ...this.update, stamp },
      );
      return result;
    });
    return {
      recorded: results.reduce((n, r) => n + r.recorded, 0),
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
    };
  }

  /** The recorded collection status of one account (undefined when nothing was recorded). */
  async readCollectionStatus(account: string): Promise<AccountStatusDocument | undefined> {
    if (!STATUS_ACCOUNT_RE.test(account)) throw new BadRequestException(`invalid account ${JSON.stringify(account)}`);
    return readDocument<AccountStatusDocument>(this.store, statusKey(account));
  }

  /**
   * GetDataLakeSources: per account and source, one status per (Region, version) that is enabled for
   * the account or has recorded data:
   * - `COLLECTING`: enabled, this library can emit it, and the last recorded run did not fail
   *   entirely (also before the first run: then `eventCount` is 0 and `detail` says so);
   * - `MISCONFIGURED`: enabled, but this library has no mapper for that (source, version) (e.g. `WAF`),
   *   or the last recorded run wrote no events while it had failures or an error;
   * - `NOT_COLLECTING`: not enabled for the account (with the totals of earlier runs, if any).
   * A source neither enabled nor recorded for the account gets one `NOT_COLLECTING` status without
   * Region. Accounts listed: the `accounts` filter, or every account named in the configuration or
   * seen in recorded runs, plus (without a filter) account `*` for what is enabled for every account,
   * with totals summed over all accounts.
   */
  async getDataLakeSources(req: GetDataLakeSourcesRequest = {}): Promise<GetDataLakeSourcesResponse> {
    const accountsFilter = checkAccounts(req.accounts, 'accounts');
    const max = checkMaxResults(req.maxResults);
    const offset = decodeToken('getDataLakeSources', req.nextToken);
    const doc = await this.readConfiguration();
    const statusAccounts =
      accountsFilter ?? (await this.store.list('status')).map((k) => k.slice('status/'.length)).filter((a) => STATUS_ACCOUNT_RE.test(a));
    const statusDocs = new Map<string, AccountStatusDocument>();
    await mapLimit(statusAccounts, 8, async (a) => {
      const s = await readDocument<AccountStatusDocument>(this.store, statusKey(a));
      if (s) statusDocs.set(a, s);
    });
    const accounts =
      accountsFilter ??
      sortedUnique([
        ...(doc.organizationAccounts ?? []),
        ...doc.sources.flatMap((e) => [...e.accounts, ...e.exceptAccounts]),
        ...statusDocs.keys(),
      ]);
    const librarySources = listSources()
      .map((s) => s.name)
      .filter((n) => isKnownSource(n));
    const org = doc.organizationAccounts ? new Set(doc.organizationAccounts) : undefined;
    const items: DataLakeSource[] = [];

    if (accountsFilter === undefined) {
      const everyAccount = doc.sources.filter((e) => e.allAccounts);
      const all = [...statusDocs.values()].flatMap((d) => d.entries.map((x) => ({ account: d.account, x })));
      for (const name of sortedUnique(everyAccount.map((e) => e.sourceName))) {
        const statuses = everyAccount
          .filter((e) => e.sourceName === name)
          .map((e) => {
            const recorded = all
              .filter(({ account, x }) => x.sourceName === name && x.region === e.region && x.sourceVersion === e.sourceVersion && covers(e, account))
              .map(({ x }) => x);
            return this.status(ALL_ACCOUNTS, name, e.region, e.sourceVersion, true, sumEntries(recorded), 'enabled for every account');
          });
        items.push({ account: ALL_ACCOUNTS, sourceName: name, sourceStatuses: statuses });
      }
    }

    for (const account of accounts) {
      const recorded = statusDocs.get(account)?.entries ?? [];
      const member = org === undefined || org.has(account);
      const names = sortedUnique([...librarySources, ...doc.sources.map((e) => e.sourceName), ...recorded.map((e) => e.sourceName)]);
      for (const name of names) {
        const keys = new Map<string, { region: string; version: string }>();
        const enabled = new Set<string>();
        for (const e of doc.sources) {
          if (e.sourceName !== name || !member || !covers(e, account)) continue;
          const k = `${e.region} ${e.sourceVersion}`;
          keys.set(k, { region: e.region, version: e.sourceVersion });
          enabled.add(k);
        }
        for (const r of recorded) if (r.sourceName === name) keys.set(`${r.region} ${r.sourceVersion}`, { region: r.region, version: r.sourceVersion });
        const statuses: DataLakeSourceStatus[] = [...keys]
          .sort(([, a], [, b]) => cmp(a.region, b.region) || compareVersions(a.version, b.version))
          .map(([k, { region, version }]) => {
            const r = recorded.find((x) => x.sourceName === name && x.region === region && x.sourceVersion === version);
            return this.status(account, name, region, version, enabled.has(k), r);
          });
        if (statuses.length === 0) {
          statuses.push({
            resource: `${this.dataPrefix(name)}/`,
            status: 'NOT_COLLECTING',
            eventCount: 0,
            failureCount: 0,
            detail: member ? 'not enabled' : 'not enabled: the account is not in the organization',
          });
        }
        items.push({ account, sourceName: name, sourceStatuses: statuses });
      }
    }
    const enabledRegions = doc.dataLakes.map((d) => d.region);
    const page = items.slice(offset, offset + max);
    return {
      dataLakeArn: enabledRegions.length === 1 ? `arn:aws:securitylake:${enabledRegions[0]}:${this.ownerAccountId}:data-lake/default` : null,
      dataLakeSources: page,
      ...(offset + max < items.length ? { nextToken: encodeToken('getDataLakeSources', offset + max) } : {}),
    };
  }

  /** `<root>/aws/<SOURCE>` (or `ext/` for a registered custom source). */
  private dataPrefix(name: string): string {
    return `${this.root}/${isCustomSource(name) ? 'ext' : 'aws'}/${name}`;
  }

  private status(
    account: string,
    name: string,
    region: string,
    version: string,
    enabled: boolean,
    r: Pick<CollectionStatusEntry, 'eventCount' | 'failureCount' | 'lastEventTime' | 'lastRun'> | undefined,
    enabledDetail?: string,
  ): DataLakeSourceStatus {
    const resource = `${this.dataPrefix(name)}/${version}/region=${region}/${account === ALL_ACCOUNTS ? '' : `accountId=${account}/`}`;
    let status: DataLakeSourceStatus['status'];
    let detail: string;
    if (!enabled) {
      status = 'NOT_COLLECTING';
      detail = 'not enabled; data already written is kept';
    } else if (!canEmit(name, version)) {
      status = 'MISCONFIGURED';
      detail = `enabled, but this library has no mapper for ${name} ${version} (it supports ${acceptedVersions(name).filter((v) => canEmit(name, v)).join(', ') || 'none'})`;
    } else if (r && r.lastRun.events === 0 && (r.lastRun.failures > 0 || r.lastRun.error !== undefined)) {
      status = 'MISCONFIGURED';
      detail = `the last run (${r.lastRun.at}) wrote no events: ${r.lastRun.failures} failures${r.lastRun.error ? `; error: ${r.lastRun.error}` : ''}`;
    } else {
      status = 'COLLECTING';
      detail = r ? `${enabledDetail ?? 'enabled'}; last run ${r.lastRun.at} wrote ${r.lastRun.events} events` : `${enabledDetail ?? 'enabled'}; no data recorded yet`;
    }
    const lastEventTime = isoTime(r?.lastEventTime);
    return {
      resource,
      status,
      region,
      sourceVersion: version,
      eventCount: r?.eventCount ?? 0,
      failureCount: r?.failureCount ?? 0,
      ...(lastEventTime ? { lastEventTime } : {}),
      ...(r ? { lastCollectedAt: r.lastRun.at } : {}),
      detail,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Request checks

interface CheckedSource {
  sourceName: string;
  /** Resolved version; undefined only for delete without sourceVersion (= every version). */
  version: string | undefined;
  regions: string[];
  accounts: string[] | undefined;
}

function checkSourceRequest(req: CreateAwsLogSourceRequest, op: 'create' | 'delete'): CheckedSource[] {
  const sources = (req as { sources?: unknown } | undefined)?.sources;
  if (!Array.isArray(sources) || sources.length < 1 || sources.length > 50) {
    throw new BadRequestException('sources must be a list of 1 to 50 AwsLogSourceConfiguration');
  }
  return sources.map((s: unknown, i) => {
    if (typeof s !== 'object' || s === null) throw new BadRequestException(`sources[${i}] must be an object`);
    const c = s as Record<string, unknown>;
    const sourceName = checkSourceName(c.sourceName, `sources[${i}].sourceName`);
    const version =
      op === 'delete' && c.sourceVersion === undefined ? undefined : resolveVersion(sourceName, c.sourceVersion, `sources[${i}].sourceVersion`);
    return {
      sourceName,
      version,
      regions: checkRegions(c.regions, `sources[${i}].regions`, true)!,
      accounts: checkAccounts(c.accounts, `sources[${i}].accounts`),
    };
  });
}

function checkDays(v: unknown, field: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
    throw new BadRequestException(`${field} must be an integer >= 1`);
  }
}

function checkDataLakeRequest(req: CreateDataLakeRequest): Map<string, DataLakeConfiguration> {
  if (typeof req !== 'object' || req === null) throw new BadRequestException('request must be an object');
  const out = new Map<string, DataLakeConfiguration>();
  for (const r of checkRegions(req.regions, 'regions', false) ?? []) out.set(r, { region: r });
  if (req.configurations !== undefined) {
    if (!Array.isArray(req.configurations) || req.configurations.length === 0) {
      throw new BadRequestException('configurations must be a non-empty list');
    }
    req.configurations.forEach((c, i) => {
      const f = `configurations[${i}]`;
      if (typeof c !== 'object' || c === null || typeof c.region !== 'string' || !REGION_RE.test(c.region)) {
        throw new BadRequestException(`${f}.region: invalid Region ${JSON.stringify(c?.region)}`);
      }
      const enc = c.encryptionConfiguration;
      if (enc !== undefined && (typeof enc !== 'object' || (enc.kmsKeyId !== undefined && typeof enc.kmsKeyId !== 'string'))) {
        throw new BadRequestException(`${f}.encryptionConfiguration.kmsKeyId must be a string`);
      }
      const life = c.lifecycleConfiguration;
      if (life !== undefined) {
        checkDays(life.expiration?.days, `${f}.lifecycleConfiguration.expiration.days`);
        (life.transitions ?? []).forEach((t, j) => {
          checkDays(t.days, `${f}.lifecycleConfiguration.transitions[${j}].days`);
          if (t.storageClass !== undefined && typeof t.storageClass !== 'string') {
            throw new BadRequestException(`${f}.lifecycleConfiguration.transitions[${j}].storageClass must be a string`);
          }
        });
      }
      const rep = c.replicationConfiguration;
      if (rep?.regions !== undefined) checkRegions(rep.regions, `${f}.replicationConfiguration.regions`, true);
      const prev = out.get(c.region);
      out.set(c.region, { ...prev, ...structuredClone(c) });
    });
  }
  if (out.size === 0) throw new BadRequestException('regions or configurations must name at least one Region');
  if (req.tags !== undefined) {
    if (!Array.isArray(req.tags) || req.tags.length > 50 || req.tags.some((t) => typeof t?.key !== 'string' || typeof t?.value !== 'string')) {
      throw new BadRequestException('tags must be at most 50 {key, value} string pairs');
    }
  }
  return out;
}

function sourceFilter(filter: LogSourceResource[] | undefined): (e: SourceEnablement) => boolean {
  if (filter === undefined) return () => true;
  if (!Array.isArray(filter)) throw new BadRequestException('sources must be a list of LogSourceResource');
  const wanted = filter.map((f, i) => {
    const r = (f as { awsLogSource?: { sourceName?: unknown; sourceVersion?: unknown } }).awsLogSource ??
      (f as { customLogSource?: { sourceName?: unknown; sourceVersion?: unknown } }).customLogSource;
    if (typeof r !== 'object' || r === null) throw new BadRequestException(`sources[${i}] must hold awsLogSource or customLogSource`);
    if (r.sourceVersion !== undefined && (typeof r.sourceVersion !== 'string' || !SOURCE_VERSION_RE.test(r.sourceVersion))) {
      throw new BadRequestException(`sources[${i}]: invalid sourceVersion ${JSON.stringify(r.sourceVersion)}`);
    }
    const name = r.sourceName as string | undefined;
    const version = r.sourceVersion === 'latest' && name ? defaultVersion(name) : (r.sourceVersion as string | undefined);
    return { name, version };
  });
  return (e) => wanted.some((w) => (w.name === undefined || w.name === e.sourceName) && (w.version === undefined || w.version === e.sourceVersion));
}

// ---------------------------------------------------------------------------------------------------
// Collection statistics

function checkCount(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new BadRequestException(`${field} must be a non-negative integer`);
}
function checkTime(v: unknown, field: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new BadRequestException(`${field} must be epoch milliseconds`);
}

function mergeStats(stats: readonly CollectionStats[]): CollectionStats[] {
  if (!Array.isArray(stats)) throw new BadRequestException('stats must be a list of CollectionStats');
  const out = new Map<string, CollectionStats>();
  stats.forEach((s, i) => {
    const f = `stats[${i}]`;
    if (typeof s !== 'object' || s === null) throw new BadRequestException(`${f} must be an object`);
    if (typeof s.account !== 'string' || !STATUS_ACCOUNT_RE.test(s.account)) throw new BadRequestException(`${f}.account: invalid account ${JSON.stringify(s.account)}`);
    if (typeof s.region !== 'string' || !REGION_RE.test(s.region)) throw new BadRequestException(`${f}.region: invalid Region ${JSON.stringify(s.region)}`);
    checkSourceName(s.sourceName, `${f}.sourceName`);
    if (typeof s.sourceVersion !== 'string' || !/^[0-9]\.[0-9]$/.test(s.sourceVersion)) {
      throw new BadRequestException(`${f}.sourceVersion: invalid version ${JSON.stringify(s.sourceVersion)}`);
    }
    checkCount(s.events, `${f}.events`);
    if (s.failures !== undefined) checkCount(s.failures, `${f}.failures`);
    checkTime(s.firstEventTime, `${f}.firstEventTime`);
    checkTime(s.lastEventTime, `${f}.lastEventTime`);
    if (s.error !== undefined && typeof s.error !== 'string') throw new BadRequestException(`${f}.error must be a string`);
    const key = `${s.account} ${s.region} ${s.sourceName} ${s.sourceVersion}`;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, { ...s });
      return;
    }
    prev.events += s.events;
    prev.failures = (prev.failures ?? 0) + (s.failures ?? 0);
    prev.firstEventTime = minDefined(prev.firstEventTime, s.firstEventTime);
    prev.lastEventTime = maxDefined(prev.lastEventTime, s.lastEventTime);
    if (s.error !== undefined) prev.error = prev.error === undefined ? s.error : `${prev.error}; ${s.error}`;
  });
  return [...out.values()];
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function applyStats(e: CollectionStatusEntry, s: CollectionStats, at: string, runId: string | undefined): void {
  e.runs += 1;
  e.eventCount += s.events;
  e.failureCount += s.failures ?? 0;
  const first = minDefined(e.firstEventTime, s.firstEventTime);
  const last = maxDefined(e.lastEventTime, s.lastEventTime);
  if (first !== undefined) e.firstEventTime = first;
  if (last !== undefined) e.lastEventTime = last;
  e.lastRun = { ...(runId !== undefined ? { runId } : {}), at, events: s.events, failures: s.failures ?? 0, ...(s.error !== undefined ? { error: s.error } : {}) };
  if (runId !== undefined) e.recentRunIds = [...e.recentRunIds, runId].slice(-MAX_RUN_IDS);
}

/** Totals over several accounts' entries (for the `*` account); undefined when none. */
function sumEntries(list: CollectionStatusEntry[]): Pick<CollectionStatusEntry, 'eventCount' | 'failureCount' | 'lastEventTime' | 'lastRun'> | undefined {
  if (list.length === 0) return undefined;
  const latest = list.reduce((a, b) => (a.lastRun.at >= b.lastRun.at ? a : b));
  const lastEventTime = list.reduce<number | undefined>((m, e) => maxDefined(m, e.lastEventTime), undefined);
  return {
    eventCount: list.reduce((n, e) => n + e.eventCount, 0),
    failureCount: list.reduce((n, e) => n + e.failureCount, 0),
    ...(lastEventTime !== undefined ? { lastEventTime } : {}),
    lastRun: latest.lastRun,
  };
}
