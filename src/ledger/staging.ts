/**
 * The sink a unit of work writes through: every object goes under the unit's staging folder
 * (`_ocsf_lake/staging/<run>/<unit>/<final key>`), invisible to readers of the table paths until the unit
 * commits and {@link Ledger.publish} moves it to its final key.
 */
import type { LakeStore, Sink } from '../writer/sinks/sink.js';
import { STAGING_DIR } from './entry.js';

export interface StagingSink extends Sink {
  /** Starts a unit: later puts go under its folder. */
  begin(unit: string): void;
  /** Final key → staged key of what the current unit wrote. */
  readonly staged: ReadonlyMap<string, string>;
  /** Deletes what the current unit staged (a unit given up), best effort. */
  discard(): Promise<void>;
}

export function createStagingSink(store: LakeStore, run: string): StagingSink {
  let folder = '';
  let staged = new Map<string, string>();
  return {
    url: store.url,
    begin(unit) {
      folder = `${STAGING_DIR}/${run}/${unit}`;
      staged = new Map();
    },
    get staged() {
      return staged;
    },
    async put(key, chunks, bytes) {
      if (folder === '') throw new Error('staging sink: no unit begun');
      const to = `${folder}/${key}`;
      await store.put(to, chunks, bytes);
      staged.set(key, to);
    },
    async discard() {
      await store.delete([...staged.values()]).catch(() => undefined);
      staged = new Map();
    },
  };
}
