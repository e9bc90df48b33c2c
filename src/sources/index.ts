/**
 * The built-in sources, registered at import. Each lives in its own folder
 * (`src/sources/<source_id>/`) with its mapping tables under `mappings/<source_id>/`.
 */
import { registerSource } from '../core/source.js';
import type { SourceDefinition } from '../core/source.js';
import { cloudTrailSources } from './cloudtrail/index.js';
import { eksAuditSource } from './eks_audit/index.js';
import { route53Source } from './route53/index.js';
import { securityHubFindings } from './security_hub/index.js';
import { vpcFlowSource } from './vpc_flow/index.js';

/** Every built-in source definition, in Security Lake's model order. */
export const builtinSources: readonly SourceDefinition[] = [...cloudTrailSources, eksAuditSource, route53Source, securityHubFindings, vpcFlowSource];

for (const s of builtinSources) registerSource(s);
