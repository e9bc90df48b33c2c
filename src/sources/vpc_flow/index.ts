/**
 * Amazon VPC Flow Logs → OCSF Network Activity (4001), Security Lake source `VPC_FLOW` at source
 * versions 1.0 (OCSF 1.0.0-rc.2) and 2.0 (OCSF 1.1.0). Spec: mapping-spec §4 (+ §1, §2, §8, §11.2);
 * tables: `mappings/vpc_flow/<ocsf-version>.json`.
 *
 * Options: `vpcFormat` (format of headerless text and CloudWatch Logs lines, AWS `${field}` syntax or a
 * plain field list; default: the v2 default format) and `allowUnknownFields` (keep fields AWS does not
 * define in `unmapped` instead of failing the input).
 */
import { defineSource, SourceError } from '../../core/source.js';
import type { SourceVersionSpec } from '../../core/source.js';
import type { OcsfVersion } from '../../core/types.js';
import { vpcDecoders } from './decode.js';
import { DEFAULT_FORMAT } from './fields.js';
import { compileFormat, FormatError, parseFormatOption } from './format.js';
import { createNetworkActivityMapper, SOURCE } from './map/network_activity.js';
import { compileTables, loadMappingFile } from './tables.js';

function versionSpec(ocsfVersion: OcsfVersion): SourceVersionSpec {
  const file = loadMappingFile(ocsfVersion);
  return { ocsfVersion, classes: [file.class.class_uid], profiles: file.profiles, attributes: file.attributes };
}

const versions: Record<string, SourceVersionSpec> = {
  '1.0': versionSpec('1.0.0-rc.2'),
  '2.0': versionSpec('1.1.0'),
};

export const vpcFlowSource = defineSource({
  name: SOURCE,
  title: 'Amazon VPC Flow Logs',
  versions,
  decoders: vpcDecoders,
  createMapper(version, options) {
    const spec = versions[version];
    if (!spec) throw new SourceError(`${SOURCE} has no source version ${version} (supported: ${Object.keys(versions).join(', ')})`);
    const allowUnknownFields = options.allowUnknownFields === true;
    let lineFormat;
    try {
      const f = options.vpcFormat;
      if (f !== undefined && typeof f !== 'string') throw new SourceError('vpcFormat must be a string');
      lineFormat = compileFormat(typeof f === 'string' ? parseFormatOption(f) : DEFAULT_FORMAT, 'space', allowUnknownFields);
    } catch (err) {
      if (err instanceof FormatError) throw new SourceError(`--vpc-format: ${err.message}`);
      throw err;
    }
    return createNetworkActivityMapper(version, compileTables(spec.ocsfVersion), { allowUnknownFields, lineFormat });
  },
});
