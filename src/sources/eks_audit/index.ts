/**
 * `EKS_AUDIT`: Amazon EKS control-plane audit logs (Kubernetes `audit.k8s.io/v1` Events) to OCSF API
 * Activity 6003. Security Lake has this source only from source version 2.0 (OCSF 1.1.0; mapping-spec
 * §7, §8.11); asking for 1.0 is a usage error raised by the engine.
 */
import { defineSource, SourceError } from '../../core/source.js';
import { eksDecoders, SOURCE } from './decode.js';
import { createApiActivityMapper } from './map/api_activity.js';
import { loadEksTable } from './table.js';

const table = loadEksTable();

export const eksAuditSource = defineSource({
  name: SOURCE,
  title: 'Amazon EKS audit logs (Kubernetes audit events)',
  versions: {
    [table.sourceVersion]: {
      ocsfVersion: table.ocsfVersion,
      classes: [table.class.class_uid],
      profiles: table.constants['metadata.profiles'],
      attributes: table.attributes,
    },
  },
  decoders: eksDecoders,
  createMapper(version) {
    if (version !== table.sourceVersion) throw new SourceError(`${SOURCE} exists only from source version ${table.sourceVersion} (asked for ${version})`);
    return createApiActivityMapper(version, table);
  },
});
