/**
 * Source version 2.0: ASFF → OCSF 1.1.0 Vulnerability (2002), Compliance (2003) or Detection (2004)
 * Finding, mapping-spec §6.1–§6.3 and §6.5. Class choice in `../route.ts`; rows, enums and
 * deviations in `mappings/security_hub/1.1.0.json`.
 */
import { MapFailure } from '../../../core/outcome.js';
import type { Mapper } from '../../../core/source.js';
import type { OcsfEvent, RecordContext } from '../../../core/types.js';
import { toIsoUtc } from '../../../core/time.js';
import { childPath, flattenInto, flattenKeyed } from '../../../core/unmapped.js';
import { SOURCE_NAME } from '../decode.js';
import { compileRouting, routeClass } from '../route.js';
import { compileClass, compileEnum } from '../tables.js';
import type { ClassPlan, MappingTable } from '../tables.js';
import { int, isObj, labels, str, strs, walkConsumed } from '../values.js';
import type { Obj } from '../values.js';
import { activityOf, collectRest, joinField, nonEmptyMap, optMs, readFinding, relatedEvents, severityOf, workflowOf } from './common.js';
import type { Core } from './common.js';
import { buildEvidence, EvidenceSlots } from './evidence.js';
import type { EvidenceConstants } from './evidence.js';
import { mapVulnerabilities } from './vulnerability.js';
import type { VulnerabilityConstants } from './vulnerability.js';

const PF = 'ProductFields.';

/** The `ProductFields` key a field row reads for `ocsf` (kept in the table, not in code). */
function productFieldKey(table: MappingTable, ocsf: string): string {
  const row = table.fields.find((f) => f.ocsf === ocsf && f.raw.startsWith(PF));
  if (!row) throw new Error(`security_hub ${table.ocsfVersion} table has no ProductFields row for ${ocsf}`);
  return row.raw.slice(PF.length);
}

/** `compliance.standards` fallbacks: `ProductFields.<key>:resource` entries of its row. */
function standardsFallbacks(table: MappingTable): string[] {
  const row = table.fields.find((f) => f.ocsf === 'compliance.standards');
  return (row?.fallback ?? []).filter((f) => f.startsWith(PF) && f.endsWith(':resource')).map((f) => f.slice(PF.length, -':resource'.length));
}

/** Resource part of an ARN: `arn:aws:securityhub:::standards/pci-dss/v/3.2.1` → `standards/pci-dss/v/3.2.1`. */
function arnResource(arn: string): string | undefined {
  let i = -1;
  for (let n = 0; n < 5; n++) {
    i = arn.indexOf(':', i + 1);
    if (i < 0) return undefined;
  }
  return i + 1 < arn.length ? arn.slice(i + 1) : undefined;
}

export function createFindingMapper(table: MappingTable): Mapper {
  const routing = compileRouting(table);
  const plans = new Map<number, ClassPlan>();
  for (const uid of Object.keys(table.classes)) plans.set(Number(uid), compileClass(table, Number(uid)));
  const severity = compileEnum(table.enums.severity);
  const workflow = compileEnum(table.enums.workflow);
  const C = table.constants;
  const version = C['metadata.version'] as string;
  const provider = C['cloud.provider'] as string;
  const categoryUid = C.category_uid as number;
  const categoryName = C.category_name as string;
  const activityNames = table.activity.names;
  const keyFeatureName = productFieldKey(table, 'metadata.product.feature.name');
  const keyProductVersion = productFieldKey(table, 'metadata.product.version');
  const keyOwner = productFieldKey(table, 'resources[].owner.account.uid');
  const standardsKeys = standardsFallbacks(table);
  const vulnConsts: VulnerabilityConstants = {
    fix: new Map(Object.entries(table.enums.fixAvailable!.map)),
    exploit: new Map(Object.entries(table.enums.exploitAvailable!.map)),
    fileType: table.enums.fileType.value,
  };
  const evidenceConsts: EvidenceConstants = {
    fileType: table.enums.fileType.value,
    hash: table.enums.hashAlgorithm!.value,
    direction: table.enums.connectionDirection!.value,
  };
  const obsTypes = table.enums.observables!.types;
  const OBS_RESOURCE = obsTypes['resource.uid']!;
  const OBS_RESOURCES = obsTypes['resources[].uid']!;

  function map(raw: unknown, context: RecordContext): OcsfEvent | MapFailure {
    const found = readFinding(raw, context);
    if (found instanceof MapFailure) return found;
    const { core, id } = found;
    const r = core.raw;
    const plan = plans.get(routeClass(r, core.arn?.productKey, routing))!;
    const un: Record<string, string> = {};
    const pf = core.productFields;
    const resourceList = Array.isArray(r.Resources) ? r.Resources : undefined;

    // ProductFields, once: consumed keys, evidence slots, the rest to unmapped.
    let slots: EvidenceSlots | undefined;
    if (pf) {
      const evidence = plan.evidence;
      const consumed = plan.productFields;
      for (const key in pf) {
        const v = pf[key];
        if (v === null || v === undefined) continue;
        const ek = evidence?.get(key);
        if (ek) (slots ??= new EvidenceSlots()).put(un, key, v, ek);
        else if (!consumed.has(key) || (key === keyOwner && !(resourceList && resourceList.length > 0))) flattenKeyed(un, childPath('ProductFields', key), v, false);
      }
    }

    // metadata
    const product: Obj = {};
    if (id.productName !== undefined) product.name = id.productName;
    if (core.productArn !== undefined) product.uid = core.productArn;
    product.vendor_name = id.vendorName;
    const productVersion = pf && str(pf[keyProductVersion]);
    if (productVersion !== undefined) product.version = productVersion;
    const featureUid = str(r.GeneratorId);
    const featureName = pf && str(pf[keyFeatureName]);
    if (featureUid !== undefined || featureName !== undefined) {
      const feature: Obj = {};
      if (featureName !== undefined) feature.name = featureName;
      if (featureUid !== undefined) feature.uid = featureUid;
      product.feature = feature;
    }
    const metadata: Obj = { version, profiles: plan.profiles.slice() };
    if (plan.extensions) metadata.extensions = copyExtensions(plan.extensions);
    const logVersion = str(r.SchemaVersion);
    if (logVersion !== undefined) metadata.log_version = logVersion;
    const processed = optMs(un, 'ProcessedAt', r.ProcessedAt);
    if (processed !== undefined) metadata.processed_time_dt = toIsoUtc(processed);
    metadata.product = product;

    const activityId = activityOf(core, table);
    const [severityId, severityCaption] = severityOf(r.Severity, severity);
    const updatedDt = toIsoUtc(core.updatedMs);
    const ev: Obj = {
      metadata,
      time: core.updatedMs,
      time_dt: updatedDt,
      class_uid: plan.uid,
      class_name: plan.name,
      category_uid: categoryUid,
      category_name: categoryName,
      activity_id: activityId,
      activity_name: activityNames[activityId],
      type_uid: plan.uid * 100 + activityId,
      type_name: plan.typeNames[activityId],
      severity_id: severityId,
      severity: severityCaption,
    };
    const wf = workflowOf(r, workflow);
    if (wf) {
      ev.status_id = wf[0];
      ev.status = wf[1];
    }
    const confidence = int(r.Confidence);
    if (confidence !== undefined) ev.confidence_score = confidence;
    else if (r.Confidence !== undefined && r.Confidence !== null) flattenInto(un, 'Confidence', r.Confidence);
    const note = isObj(r.Note) ? str(r.Note.Text) : undefined;
    if (note !== undefined) ev.message = note;
    const cloud: Obj = {};
    if (id.accountUid !== undefined) cloud.account = { uid: id.accountUid };
    cloud.provider = provider;
    if (id.region !== undefined) cloud.region = id.region;
    ev.cloud = cloud;
    ev.finding_info = findingInfo(core, un, plan, updatedDt);

    const observables: Obj[] = [];
    const criticality = str(r.Criticality);
    let criticalityUsed = false;
    const rec = isObj(r.Remediation) && isObj(r.Remediation.Recommendation) ? r.Remediation.Recommendation : undefined;
    const remediation = remediationOf(rec);

    if (plan.resources === 'first') {
      const first = resourceList && resourceList.length > 0 ? resourceList[0] : undefined;
      const res = first === undefined ? undefined : resourceOf(first, criticality, undefined);
      if (res) {
        ev.resource = res;
        criticalityUsed = true;
        observables.push({ name: 'resource.uid', type: OBS_RESOURCE[1], type_id: OBS_RESOURCE[0], value: res.uid });
      } else if (first !== undefined) walkConsumed(un, 'Resources[]', first, plan.skip, plan.partial);
    } else if (resourceList && resourceList.length > 0) {
      const owner = pf && str(pf[keyOwner]);
      const out: Obj[] = [];
      for (let i = 0; i < resourceList.length; i++) {
        const res = resourceOf(resourceList[i], criticality, owner);
        if (!res) {
          walkConsumed(un, 'Resources[]', resourceList[i], plan.skip, plan.partial);
          continue;
        }
        out.push(res);
        observables.push({ name: 'resources[].uid', type: OBS_RESOURCES[1], type_id: OBS_RESOURCES[0], value: res.uid });
      }
      if (out.length > 0) {
        ev.resources = out;
        criticalityUsed = true;
      } else if (owner !== undefined) flattenInto(un, PF + keyOwner, pf![keyOwner]);
    }
    if (!criticalityUsed && r.Criticality !== undefined && r.Criticality !== null) flattenInto(un, 'Criticality', r.Criticality);

    if (plan.uid === 2002) {
      const vulns = mapVulnerabilities(r.Vulnerabilities as unknown[], un, plan, vulnConsts, remediation);
      if (vulns.length === 0) {
        return new MapFailure('missing-field', 'no Vulnerabilities[] element has an Id (vulnerabilities[].cve.uid is required)', SOURCE_NAME, r, context);
      }
      ev.vulnerabilities = vulns;
      if (!remediation && rec) walkConsumed(un, 'Remediation', r.Remediation, plan.skip, plan.partial);
    } else if (plan.uid === 2003) {
      ev.compliance = complianceOf(r.Compliance as Obj, pf);
      if (remediation) ev.remediation = remediation;
      else if (rec) walkConsumed(un, 'Remediation', r.Remediation, plan.skip, plan.partial);
    } else if (slots) {
      const evidence = buildEvidence(slots, un, evidenceConsts);
      if (evidence) {
        ev.evidences = [evidence];
        evidenceObservables(evidence, observables, obsTypes);
      }
    }
    if (observables.length > 0) ev.observables = observables;

    collectRest(un, core, plan, true);
    const unmapped = nonEmptyMap(un);
    if (unmapped) ev.unmapped = unmapped;
    return ev as unknown as OcsfEvent;
  }

  function complianceOf(c: Obj, pf: Obj | undefined): Obj {
    const out: Obj = {};
    const control = strs(c.SecurityControlId);
    if (control) out.control = control.join(',');
    const req = strs(c.RelatedRequirements);
    if (req) out.requirements = req;
    out.standards = standards(c.AssociatedStandards, pf);
    const status = str(c.Status);
    if (status !== undefined) out.status = status;
    const code = joinField(c.StatusReasons, 'ReasonCode');
    if (code !== undefined) out.status_code = code;
    const detail = joinField(c.StatusReasons, 'Description');
    if (detail !== undefined) out.status_detail = detail;
    return out;
  }

  function standards(assoc: unknown, pf: Obj | undefined): string[] {
    let out: string[] | undefined;
    if (Array.isArray(assoc)) {
      for (let i = 0; i < assoc.length; i++) {
        const e = assoc[i];
        const s = isObj(e) ? str(e.StandardsId) : undefined;
        if (s !== undefined) (out ??= []).push(s);
      }
    }
    if (out) return out;
    if (pf) {
      for (const key of standardsKeys) {
        const arn = str(pf[key]);
        const res = arn === undefined ? undefined : arnResource(arn);
        if (res !== undefined) return [res];
      }
    }
    return [];
  }

  return { source: SOURCE_NAME, version: table.sourceVersion, ocsfVersion: table.ocsfVersion, map };
}

function copyExtensions(list: readonly { name: string; uid: string; version: string }[]): Obj[] {
  const out: Obj[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = { name: list[i]!.name, uid: list[i]!.uid, version: list[i]!.version };
  return out;
}

function findingInfo(core: Core, un: Record<string, string>, plan: ClassPlan, updatedDt: string): Obj {
  const r = core.raw;
  const fi: Obj = { uid: core.id, title: core.title };
  const desc = str(r.Description);
  if (desc !== undefined) fi.desc = desc;
  const types = strs(r.Types);
  if (types) fi.types = types;
  const src = str(r.SourceUrl);
  if (src !== undefined) fi.src_url = src;
  fi.created_time_dt = toIsoUtc(core.createdMs);
  fi.modified_time_dt = updatedDt;
  const first = optMs(un, 'FirstObservedAt', r.FirstObservedAt);
  if (first !== undefined) fi.first_seen_time_dt = toIsoUtc(first);
  const last = optMs(un, 'LastObservedAt', r.LastObservedAt);
  if (last !== undefined) fi.last_seen_time_dt = toIsoUtc(last);
  const related = relatedEvents(r.RelatedFindings, un, plan);
  if (related) fi.related_events = related;
  return fi;
}

/** 1.1.0 remediation needs `desc`: only with `Recommendation.Text`. */
function remediationOf(rec: Obj | undefined): Obj | undefined {
  const text = rec && str(rec.Text);
  if (text === undefined) return undefined;
  const out: Obj = { desc: text };
  const url = str(rec!.Url);
  if (url !== undefined) out.references = [url];
  return out;
}

/** One `Resources[]` element → 1.1.0 resource_details; undefined without `Id` (uid or name is required). */
function resourceOf(e: unknown, criticality: string | undefined, owner: string | undefined): Obj | undefined {
  if (!isObj(e)) return undefined;
  const uid = str(e.Id);
  if (uid === undefined) return undefined;
  const res: Obj = {};
  const partition = str(e.Partition);
  if (partition !== undefined) res.cloud_partition = partition;
  if (criticality !== undefined) res.criticality = criticality;
  if (e.Details !== undefined && e.Details !== null) res.data = JSON.stringify(e.Details);
  const l = labels(e.Tags);
  if (l) res.labels = l;
  if (owner !== undefined) res.owner = { account: { uid: owner } };
  const region = str(e.Region);
  if (region !== undefined) res.region = region;
  const type = str(e.Type);
  if (type !== undefined) res.type = type;
  res.uid = uid;
  return res;
}

const EVIDENCE_OBSERVABLES: readonly (readonly [string, readonly string[]])[] = [
  ['evidences[].src_endpoint.ip', ['src_endpoint', 'ip']],
  ['evidences[].actor.process.name', ['actor', 'process', 'name']],
  ['evidences[].actor.process.user.name', ['actor', 'process', 'user', 'name']],
  ['evidences[].process.name', ['process', 'name']],
  ['evidences[].process.user.name', ['process', 'user', 'name']],
];

function evidenceObservables(ev: Obj, out: Obj[], types: Record<string, readonly [number, string]>): void {
  for (const [name, path] of EVIDENCE_OBSERVABLES) {
    let v: unknown = ev;
    for (const k of path) v = isObj(v) ? v[k] : undefined;
    const t = types[name];
    if (typeof v === 'string' && t) out.push({ name, type: t[1], type_id: t[0], value: v });
  }
  for (const owner of ['actor', 'process'] as const) {
    const proc = owner === 'actor' ? (isObj(ev.actor) ? ev.actor.process : undefined) : ev.process;
    const file = isObj(proc) && isObj(proc.file) ? proc.file : undefined;
    const hashes = file && Array.isArray(file.hashes) ? file.hashes : undefined;
    if (!hashes) continue;
    const name = owner === 'actor' ? 'evidences[].actor.process.file.hashes[].value' : 'evidences[].process.file.hashes[].value';
    const t = types[name];
    for (const h of hashes) if (isObj(h) && typeof h.value === 'string' && t) out.push({ name, type: t[1], type_id: t[0], value: h.value });
  }
}
