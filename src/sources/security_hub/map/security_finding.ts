/**
 * Source version 1.0: every ASFF finding → OCSF 1.0.0-rc.2 Security Finding (2001), mapping-spec §6.4
 * with the AWS native corrections of §11.4. Field rows: `mappings/security_hub/1.0.0-rc.2.json`.
 */
import { MapFailure } from '../../../core/outcome.js';
import type { Mapper } from '../../../core/source.js';
import type { OcsfEvent, RecordContext } from '../../../core/types.js';
import { flattenInto } from '../../../core/unmapped.js';
import { SOURCE_NAME } from '../decode.js';
import { compileClass, compileEnum } from '../tables.js';
import type { MappingTable } from '../tables.js';
import { basename, int, isObj, labels, str, strs, walkConsumed } from '../values.js';
import type { Obj } from '../values.js';
import { activityOf, collectRest, cvssOf, joinField, mapElements, nonEmptyMap, optMs, packageOf, readFinding, relatedEvents, severityOf, workflowOf } from './common.js';

export function createSecurityFindingMapper(table: MappingTable): Mapper {
  const plan = compileClass(table, table.routing.default);
  const severity = compileEnum(table.enums.severity);
  const workflow = compileEnum(table.enums.workflow);
  const malware = compileEnum(table.enums.malwareType!);
  const [fileTypeId, fileType] = table.enums.fileType.value;
  const C = table.constants;
  const version = C['metadata.version'] as string;
  const productName = C['metadata.product.name'] as string;
  const provider = C['cloud.provider'] as string;
  const categoryUid = C.category_uid as number;
  const categoryName = C.category_name as string;
  const activityNames = table.activity.names;
  const { skip, partial } = plan;

  function map(raw: unknown, context: RecordContext): OcsfEvent | MapFailure {
    const found = readFinding(raw, context);
    if (found instanceof MapFailure) return found;
    const { core, id } = found;
    const r = core.raw;
    const un: Record<string, string> = {};

    const product: Obj = {};
    const schemaVersion = str(r.SchemaVersion);
    if (schemaVersion !== undefined) product.version = schemaVersion;
    const featureUid = str(r.GeneratorId);
    if (featureUid !== undefined || id.productName !== undefined) {
      const feature: Obj = {};
      if (featureUid !== undefined) feature.uid = featureUid;
      if (id.productName !== undefined) feature.name = id.productName;
      product.feature = feature;
    }
    if (core.productArn !== undefined) product.uid = core.productArn;
    product.vendor_name = id.vendorName;
    product.name = productName;

    const cloud: Obj = {};
    if (id.accountUid !== undefined) cloud.account_uid = id.accountUid;
    if (id.region !== undefined) cloud.region = id.region;
    cloud.provider = provider;

    const ev: Obj = { metadata: { product, profiles: plan.profiles.slice(), version }, time: core.updatedMs };
    const confidence = int(r.Confidence);
    if (confidence !== undefined) ev.confidence = confidence;
    else if (r.Confidence !== undefined && r.Confidence !== null) flattenInto(un, 'Confidence', r.Confidence);
    ev.cloud = cloud;

    const resources = mapResources(r, un);
    if (resources) ev.resources = resources;
    ev.finding = mapFinding(core.id, core.title, core.createdMs, core.updatedMs, r, un);
    const compliance = mapCompliance(r.Compliance);
    if (compliance) ev.compliance = compliance;
    const mw = mapMalware(r.Malware, un);
    if (mw) ev.malware = mw;
    const process = mapProcess(r.Process, un);
    if (process) ev.process = process;
    const vulns = mapVulnerabilities(r.Vulnerabilities, un);
    if (vulns) ev.vulnerabilities = vulns;

    const activityId = activityOf(core, table);
    const [severityId, severityCaption] = severityOf(r.Severity, severity);
    const [stateId, state] = workflowOf(r, workflow)!;
    ev.class_name = plan.name;
    ev.class_uid = plan.uid;
    ev.category_name = categoryName;
    ev.category_uid = categoryUid;
    ev.severity_id = severityId;
    ev.severity = severityCaption;
    ev.activity_name = activityNames[activityId];
    ev.activity_id = activityId;
    ev.type_uid = plan.uid * 100 + activityId;
    ev.type_name = plan.typeNames[activityId];
    ev.state_id = stateId;
    ev.state = state;

    collectRest(un, core, plan, false);
    const unmapped = nonEmptyMap(un);
    if (unmapped) ev.unmapped = unmapped;
    return ev as unknown as OcsfEvent;
  }

  function mapFinding(uid: string, title: string, created: number, modified: number, r: Obj, un: Record<string, string>): Obj {
    const f: Obj = { created_time: created, uid };
    const desc = str(r.Description);
    if (desc !== undefined) f.desc = desc;
    f.title = title;
    f.modified_time = modified;
    const first = optMs(un, 'FirstObservedAt', r.FirstObservedAt);
    if (first !== undefined) f.first_seen_time = first;
    const last = optMs(un, 'LastObservedAt', r.LastObservedAt);
    if (last !== undefined) f.last_seen_time = last;
    const related = relatedEvents(r.RelatedFindings, un, plan);
    if (related) f.related_events = related;
    const types = strs(r.Types);
    if (types) f.types = types;
    const rec = isObj(r.Remediation) && isObj(r.Remediation.Recommendation) ? r.Remediation.Recommendation : undefined;
    if (rec) {
      const rem: Obj = {};
      const text = str(rec.Text);
      if (text !== undefined) rem.desc = text;
      const url = str(rec.Url);
      if (url !== undefined) rem.kb_articles = [url];
      if (text !== undefined || url !== undefined) f.remediation = rem;
    }
    const src = str(r.SourceUrl);
    if (src !== undefined) f.src_url = src;
    return f;
  }

  function mapResources(r: Obj, un: Record<string, string>): Obj[] | undefined {
    const list = r.Resources;
    const criticality = str(r.Criticality);
    if (!Array.isArray(list) || list.length === 0) {
      if (r.Criticality !== undefined && r.Criticality !== null) flattenInto(un, 'Criticality', r.Criticality);
      return undefined;
    }
    const out: Obj[] = new Array(list.length);
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (!isObj(e)) continue;
      const res: Obj = {};
      const type = str(e.Type);
      if (type !== undefined) res.type = type;
      const uid = str(e.Id);
      if (uid !== undefined) res.uid = uid;
      const partition = str(e.Partition);
      if (partition !== undefined) res.cloud_partition = partition;
      const region = str(e.Region);
      if (region !== undefined) res.region = region;
      const l = labels(e.Tags);
      if (l) res.labels = l;
      if (e.Details !== undefined && e.Details !== null) res.details = JSON.stringify(e.Details);
      if (criticality !== undefined) res.criticality = criticality;
      out[n++] = res;
    }
    out.length = n;
    return n > 0 ? out : undefined;
  }

  function mapCompliance(c: unknown): Obj | undefined {
    if (!isObj(c)) return undefined;
    const out: Obj = {};
    const status = str(c.Status);
    if (status !== undefined) out.status = status;
    const req = strs(c.RelatedRequirements);
    if (req) out.requirements = req;
    const detail = joinField(c.StatusReasons, 'Description');
    if (detail !== undefined) out.status_detail = detail;
    return status !== undefined || req || detail !== undefined ? out : undefined;
  }

  function mapMalware(list: unknown, un: Record<string, string>): Obj[] | undefined {
    return mapElements(list, un, 'Malware[]', plan, malwareOf, undefined);
  }

  function malwareOf(e: Obj): Obj | undefined {
    const name = str(e.Name);
    if (name === undefined) return undefined;
    const m: Obj = { name };
    const path = str(e.Path);
    if (path !== undefined) m.path = path;
    const type = str(e.Type);
    const [cid, caption] = type === undefined ? [0, 'Unknown'] : (malware.map.get(type) ?? [malware.other, type]);
    m.classification_ids = [cid];
    m.classifications = [caption];
    return m;
  }

  function mapProcess(p: unknown, un: Record<string, string>): Obj | undefined {
    if (!isObj(p)) return undefined;
    const pid = int(p.Pid);
    if (pid === undefined) {
      walkConsumed(un, 'Process', p, skip, partial);
      return undefined;
    }
    const out: Obj = {};
    const name = str(p.Name);
    if (name !== undefined) out.name = name;
    out.pid = pid;
    const path = str(p.Path);
    if (path !== undefined) out.file = { path, type_id: fileTypeId, type: fileType, name: basename(path) };
    const ppid = int(p.ParentPid);
    if (ppid !== undefined) out.parent_process = { pid: ppid };
    else if (p.ParentPid !== undefined && p.ParentPid !== null) flattenInto(un, 'Process.ParentPid', p.ParentPid);
    const launched = optMs(un, 'Process.LaunchedAt', p.LaunchedAt);
    if (launched !== undefined) out.created_time = launched;
    const terminated = optMs(un, 'Process.TerminatedAt', p.TerminatedAt);
    if (terminated !== undefined) out.terminated_time = terminated;
    return out;
  }

  function mapVulnerabilities(list: unknown, un: Record<string, string>): Obj[] | undefined {
    return mapElements(list, un, 'Vulnerabilities[]', plan, vulnerabilityOf, undefined);
  }

  function vulnerabilityOf(v: Obj, un: Record<string, string>): Obj | undefined {
    const uid = str(v.Id);
    if (uid === undefined) return undefined;
    const vendor = isObj(v.Vendor) ? v.Vendor : undefined;
    const cve: Obj = {};
    const cvss = firstCvss(v.Cvss);
    if (cvss) cve.cvss = cvss;
    cve.uid = uid;
    if (vendor) {
      const c = optMs(un, 'Vulnerabilities[].Vendor.VendorCreatedAt', vendor.VendorCreatedAt);
      if (c !== undefined) cve.created_time = c;
      const m = optMs(un, 'Vulnerabilities[].Vendor.VendorUpdatedAt', vendor.VendorUpdatedAt);
      if (m !== undefined) cve.modified_time = m;
    }
    const out: Obj = { cve };
    const refs = strs(v.ReferenceUrls);
    if (refs) out.references = refs;
    const related = strs(v.RelatedVulnerabilities);
    if (related) out.related_vulnerabilities = related;
    const vendorName = vendor && str(vendor.Name);
    if (vendorName !== undefined) out.vendor_name = vendorName;
    const vendorUrl = vendor && str(vendor.Url);
    if (vendorUrl !== undefined) out.kb_articles = [vendorUrl];
    const pkgs = mapElements(v.VulnerablePackages, un, 'Vulnerabilities[].VulnerablePackages[]', plan, packageOf, false);
    if (pkgs) out.packages = pkgs;
    return out;
  }

  return { source: SOURCE_NAME, version: table.sourceVersion, ocsfVersion: table.ocsfVersion, map };
}

/** rc.2 `cve.cvss` is one object: the first Cvss entry, when it has a score and a version (§6.4). */
function firstCvss(list: unknown): Obj | undefined {
  return Array.isArray(list) && isObj(list[0]) ? cvssOf(list[0]) : undefined;
}
