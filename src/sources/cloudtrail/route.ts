/**
 * Which Security Lake source a CloudTrail record belongs to (issue 3 item 4; tables in
 * `mappings/cloudtrail/routing.json`). One trail file mixes management events, S3 data events and
 * Lambda data events; Security Lake keeps them as CLOUD_TRAIL_MGMT, S3_DATA and LAMBDA_EXECUTION.
 *
 * How a data event is recognised (routing.json `event_category`):
 * 1. `eventCategory` when present: `Management` → management, `Data` → data; any other category
 *    (`Insight`, `NetworkActivity`) is filtered as `unsupported-event-category` — Security Lake has no
 *    source for them;
 * 2. else `managementEvent` (`false` → data, `true` → management), present from eventVersion 1.06;
 * 3. else (older records carry neither) the eventName is looked up in the per-service list of data
 *    operations (`legacy_data_event_names`: S3 object-level operations, Lambda `Invoke`).
 * A data event goes to the member named for its eventSource; any other eventSource (DynamoDB, S3 on
 * Outposts, ...) is filtered as `unsupported-data-event` with the event source as detail.
 *
 * Malformed records (not an object, no eventTime / eventName / eventSource, bad time) are failures
 * here already, so they count as failures whichever members were selected.
 */
import { Filtered, MapFailure } from '../../core/outcome.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordContext } from '../../core/types.js';
import { checkRecord } from './map/shared.js';
import type { Raw } from './map/shared.js';
import { loadRouting } from './tables.js';

export const FAMILY = 'cloudtrail';

const routing = loadRouting();
const MANAGEMENT = routing.sources.management;
const DATA_SOURCES = new Map(Object.entries(routing.sources.data));
const MANAGEMENT_CATEGORIES = new Set(routing.event_category.management);
const DATA_CATEGORIES = new Set(routing.event_category.data);
const LEGACY_DATA = new Map<string, ReadonlySet<string>>();
for (const [source, names] of Object.entries(routing.legacy_data_event_names)) {
  if (Array.isArray(names)) LEGACY_DATA.set(source, new Set(names));
}

/** Security Lake sourceNames of the family, management first. */
export const MEMBERS: readonly string[] = [MANAGEMENT, ...new Set(DATA_SOURCES.values())];
export const MANAGEMENT_SOURCE = MANAGEMENT;

/** True when the record is a data event (see the module comment); undefined when its category is not supported. */
export function isDataEvent(r: Raw): boolean | undefined {
  const cat = r.eventCategory;
  if (typeof cat === 'string') {
    if (MANAGEMENT_CATEGORIES.has(cat)) return false;
    if (DATA_CATEGORIES.has(cat)) return true;
    return undefined;
  }
  const me = r.managementEvent;
  if (me === false || me === 'false') return true;
  if (me === true || me === 'true') return false;
  return LEGACY_DATA.get(r.eventSource as string)?.has(r.eventName as string) ?? false;
}

/** The family's `route()`: a member sourceName, or why the record is not mapped. */
export function routeCloudTrail(raw: unknown, context: RecordContext): string | Rejection {
  const checked = checkRecord(raw, FAMILY, context);
  if (checked instanceof MapFailure) return checked;
  const r = raw as Raw;
  const data = isDataEvent(r);
  if (data === false) return MANAGEMENT;
  if (data === undefined) return new Filtered('unsupported-event-category', String(r.eventCategory), FAMILY);
  const source = r.eventSource as string;
  return DATA_SOURCES.get(source) ?? new Filtered('unsupported-data-event', source, FAMILY);
}
