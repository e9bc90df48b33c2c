/**
 * The built-in sources, registered at import. Each lives in its own folder
 * (`src/sources/<source_id>/`) with its mapping tables under `mappings/<source_id>/`.
 */
import { registerSource } from '../core/source.js';
import type { SourceDefinition } from '../core/source.js';

/** Every built-in source definition, in Security Lake's model order. */
export const builtinSources: readonly SourceDefinition[] = [];

for (const s of builtinSources) registerSource(s);
