/** Security Lake source management: the data lake configuration, the collection plan and status. */
export { DataLake, openDataLake } from './data-lake.js';
export type { OpenDataLakeOptions } from './data-lake.js';
export { compileCollectionPlan, COLLECTION_FILTER_REASONS } from './plan.js';
export type { CollectionDecision, CollectionPlan, Collected, NotCollected, NotCollectedReason } from './plan.js';
export {
  CONFIG_DIR,
  LocalConfigStore,
  S3ConfigStore,
  openConfigStore,
  updateDocument,
  readDocument,
} from './config-store.js';
export type { ConfigStore, LocalStoreOptions, StoredDocument, UpdateOptions } from './config-store.js';
export {
  SecurityLakeException,
  BadRequestException,
  AccessDeniedException,
  ResourceNotFoundException,
  ConflictException,
  ThrottlingException,
  InternalServerException,
} from './errors.js';
export { SECURITY_LAKE_VERSIONS, acceptedVersions, defaultVersion, canEmit } from './catalog.js';
export { AWS_LOG_SOURCE_NAMES, ALL_ACCOUNTS } from './types.js';
export type * from './types.js';
