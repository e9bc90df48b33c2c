/**
 * The commit ledger: what a lake has ingested, kept in the lake itself, so that a re-run, a retry, a crash, a
 * different worker count or a grown input folder never writes an event twice and never loses one.
 *
 * Protocol (the same on a local directory and on S3; Delta Lake's log works the same way):
 * 1. A unit of work writes its Parquet and dead-letter files under `_ocsf_lake/staging/<run>/<unit>/`, which no
 *    reader of the table paths (`aws/…`, `ext/…`, `dlq/…`) looks at.
 * 2. It commits by creating the next log entry `_ocsf_lake/ledger/log/<seq>.json` with put-if-absent (local:
 *    `link()`; S3: `If-None-Match: *`). Losing that race means another unit committed first: the loser reads
 *    the new entries and, unless one of them took an input object of its own (then it gives the unit up, and
 *    the objects that are still free are redone), takes the next number.
 * 3. It publishes: staged files move to their final keys (local `rename`; S3 copy + delete), files of the
 *    entries it supersedes are deleted, replayed dead letters are retired, and a `published/<seq>` marker
 *    records that this is done. Every step is idempotent.
 * 4. At the start of every run, {@link Ledger.recover} rolls forward entries that have no marker (a crash
 *    between commit and publish) and deletes the staging folders of runs that are no longer alive.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { LakeStore } from '../writer/sinks/sink.js';
import { identityVersion, logKey, publishedKey, PROBE_DIR, PUBLISHED_DIR, REPLAYED_DIR, RUNS_DIR, seqOf, STAGING_DIR, LOG_DIR } from './entry.js';
import type { InputIdentity, LedgerEntry } from './entry.js';

/** What the ledger knows of one input URI: the entry that holds it now. */
export interface CommittedInput {
  seq: number;
  /** {@link identityVersion} of the identity committed. */
  version: string;
  records: number;
}

export type CommitOutcome = { committed: LedgerEntry } | { conflicts: string[] };

/** Another run's marker: who runs, and when it last said so. */
interface RunMarker {
  run: string;
  host: string;
  pid: number;
  startedAt: string;
  beatAt: number;
}

/** A run whose marker has not been refreshed for this long is taken as dead (other hosts; same host: its pid). */
const DEAD_AFTER_MS = 10 * 60_000;
const BEAT_MS = 20_000;

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`;
}

export class Ledger {
  /** Entries read so far, by sequence number. */
  readonly entries = new Map<number, LedgerEntry>();
  private readonly inputs = new Map<string, CommittedInput>();
  private readonly superseded = new Set<number>();
  /** The highest sequence number read. */
  lastSeq: number;
  /**
   * URIs committed by entries after {@link since}: a unit whose objects were decided on a snapshot taken at
   * `since` conflicts with these.
   */
  private readonly touched = new Map<string, number>();
  private readonly since: number;

  /** `since`: a snapshot's last sequence number, when the caller read the entries up to it already. */
  constructor(
    readonly store: LakeStore,
    opts: { since?: number } = {},
  ) {
    this.since = opts.since ?? 0;
    this.lastSeq = this.since;
  }

  /** Reads every entry of the log. */
  async load(): Promise<this> {
    const seqs = (await this.store.list(LOG_DIR)).map((o) => seqOf(o.key)).filter((s): s is number => s !== undefined && s > this.lastSeq);
    seqs.sort((a, b) => a - b);
    for (const seq of seqs) {
      const e = await this.read(seq);
      if (e) this.apply(e);
    }
    return this.refresh();
  }

  /** Reads the entries committed since the last one read (they are numbered densely). */
  async refresh(): Promise<this> {
    for (;;) {
      const e = await this.read(this.lastSeq + 1);
      if (!e) return this;
      this.apply(e);
    }
  }

  private async read(seq: number): Promise<LedgerEntry | undefined> {
    const bytes = await this.store.get(logKey(seq));
    if (!bytes) return undefined;
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as LedgerEntry;
    } catch (err) {
      throw new Error(`${this.store.url}/${logKey(seq)}: corrupt ledger entry: ${(err as Error).message}`);
    }
  }

  private apply(e: LedgerEntry): void {
    this.entries.set(e.seq, e);
    if (e.seq > this.lastSeq) this.lastSeq = e.seq;
    for (const s of e.supersedes) this.superseded.add(s);
    for (const i of e.inputs) {
      this.inputs.set(i.uri, { seq: e.seq, version: identityVersion(i), records: i.records });
      if (e.seq > this.since) this.touched.set(i.uri, e.seq);
    }
  }

  /** The entry that holds an input URI now, if any. */
  committed(uri: string): CommittedInput | undefined {
    return this.inputs.get(uri);
  }

  /** True when `id` is committed with this very identity (same size, ETag/mtime or hash). */
  isCommitted(id: InputIdentity): boolean {
    return this.inputs.get(id.uri)?.version === identityVersion(id);
  }

  isSuperseded(seq: number): boolean {
    return this.superseded.has(seq);
  }

  /** Entries whose files are live (not superseded), in order. */
  live(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => !this.superseded.has(e.seq)).sort((a, b) => a.seq - b.seq);
  }

  /**
   * The entries that must be redone together when one of `seqs` is replaced: files mix the records of every
   * input of a unit, so replacing one input means redoing the unit's other inputs too (and theirs, transitively).
   */
  component(seqs: Iterable<number>): { seqs: number[]; uris: string[] } {
    const todo = [...seqs];
    const seen = new Set<number>();
    const uris = new Set<string>();
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const i of this.entries.get(s)?.inputs ?? []) {
        uris.add(i.uri);
        const holder = this.inputs.get(i.uri)?.seq;
        if (holder !== undefined && !seen.has(holder)) todo.push(holder);
      }
    }
    return { seqs: [...seen].sort((a, b) => a - b), uris: [...uris].sort() };
  }

  /**
   * Commits a unit: the next log entry, unless an input of the unit was committed by another unit since the
   * snapshot its objects were decided on (then the unit must be given up: `conflicts` names those inputs).
   */
  async commit(draft: Omit<LedgerEntry, 'seq' | 'committedAt'>): Promise<CommitOutcome> {
    for (;;) {
      await this.refresh();
      const conflicts = draft.inputs.filter((i) => this.touched.has(i.uri)).map((i) => i.uri);
      if (conflicts.length > 0) return { conflicts };
      const entry: LedgerEntry = { ...draft, seq: this.lastSeq + 1, committedAt: new Date().toISOString() };
      if (await this.putEntry(entry)) {
        this.apply(entry);
        // Our own inputs are not a conflict for our later units.
        for (const i of entry.inputs) this.touched.delete(i.uri);
        return { committed: entry };
      }
    }
  }

  /**
   * Creates the entry's log object. A failed request may still have created it (the reply was lost): the log
   * is read back, so that a unit never takes its own commit for a failure.
   */
  private async putEntry(entry: LedgerEntry): Promise<boolean> {
    try {
      return await this.store.putIfAbsent(logKey(entry.seq), Buffer.from(JSON.stringify(entry) + '\n'));
    } catch (err) {
      const there = await this.read(entry.seq).catch(() => {
        throw err;
      });
      if (there === undefined) throw err;
      return there.unit === entry.unit;
    }
  }

  /**
   * Makes a committed entry visible: staged files to their final keys, superseded entries' files deleted,
   * replayed dead letters retired, then the marker. Safe to repeat and to run concurrently.
   */
  async publish(e: LedgerEntry): Promise<string[]> {
    const lost: string[] = [];
    for (const f of [...e.files, ...e.deadLetters]) {
      try {
        await this.store.move(f.staged, f.key);
      } catch (err) {
        // Neither staged nor published: gone (deleted by hand?). Said, and left to `validate`; the rest goes on.
        if ((await this.store.exists(f.staged)) || (await this.store.exists(f.key))) throw err;
        lost.push(`ledger entry ${e.seq}: ${f.key} is neither staged nor published`);
      }
    }
    for (const s of e.supersedes) {
      const old = this.entries.get(s) ?? (await this.read(s));
      if (old) await this.store.delete([...old.files, ...old.deadLetters].map((f) => f.key));
    }
    for (const r of e.retire) {
      if (r.deleted) await this.store.delete([r.key]);
      else if (await this.store.exists(r.key)) await this.store.move(r.key, `${REPLAYED_DIR}/${r.key}`);
    }
    await this.store.put(publishedKey(e.seq), [new Uint8Array(0)], 0);
    return lost;
  }

  /**
   * Finishes what crashed runs left: publishes committed entries without a marker, then deletes the staging
   * folders of runs that are not alive (`isAlive`, default: same host and a live pid, else a fresh marker).
   * Returns what it did, for the run's summary.
   */
  async recover(self?: string): Promise<{ rolledForward: number; stagingRemoved: number; lost: string[] }> {
    const published = new Set((await this.store.list(PUBLISHED_DIR)).map((o) => seqOf(o.key)));
    let rolledForward = 0;
    const lost: string[] = [];
    for (const e of [...this.entries.values()].sort((a, b) => a.seq - b.seq)) {
      if (published.has(e.seq)) continue;
      lost.push(...(await this.publish(e)));
      rolledForward++;
    }
    const staged = await this.store.list(STAGING_DIR);
    const byRun = new Map<string, string[]>();
    for (const m of await this.store.list(RUNS_DIR)) byRun.set(m.key.slice(RUNS_DIR.length + 1).replace(/\.json$/, ''), []);
    for (const o of staged) {
      const run = o.key.slice(STAGING_DIR.length + 1).split('/')[0]!;
      (byRun.get(run) ?? byRun.set(run, []).get(run)!).push(o.key);
    }
    if (self !== undefined) byRun.delete(self);
    let stagingRemoved = 0;
    for (const [run, keys] of byRun) {
      if (await this.runAlive(run)) continue;
      stagingRemoved += keys.length;
      await this.store.deleteFolder(`${STAGING_DIR}/${run}`);
      await this.store.delete([`${RUNS_DIR}/${run}.json`]);
    }
    // Probes of `--out` checks that a killed run left behind (a live run's probe is gone within milliseconds).
    await this.store.delete((await this.store.list(PROBE_DIR)).map((o) => o.key));
    return { rolledForward, stagingRemoved, lost };
  }

  private async runAlive(run: string): Promise<boolean> {
    const bytes = await this.store.get(`${RUNS_DIR}/${run}.json`);
    if (!bytes) return false;
    let m: RunMarker;
    try {
      m = JSON.parse(Buffer.from(bytes).toString('utf8')) as RunMarker;
    } catch {
      return false;
    }
    if (m.host === hostname()) return pidAlive(m.pid);
    return Date.now() - m.beatAt < DEAD_AFTER_MS;
  }

  /** Announces a run (so that others leave its staging folder alone) until the returned function is called. */
  async announce(run: string): Promise<(keepStaging?: boolean) => Promise<void>> {
    const key = `${RUNS_DIR}/${run}.json`;
    const marker: RunMarker = { run, host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), beatAt: Date.now() };
    const beat = async () => {
      marker.beatAt = Date.now();
      const body = Buffer.from(JSON.stringify(marker));
      await this.store.put(key, [body], body.length);
    };
    await beat();
    const timer = setInterval(() => void beat().catch(() => undefined), BEAT_MS);
    timer.unref();
    return async (keepStaging = false) => {
      clearInterval(timer);
      // Whatever is left of this run's staging folder was never committed (units given up), unless a commit's
      // outcome is unknown: then the next run's recovery decides, once it can read the log.
      if (!keepStaging) await this.store.deleteFolder(`${STAGING_DIR}/${run}`).catch(() => undefined);
      await this.store.delete([key]).catch(() => undefined);
    };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
