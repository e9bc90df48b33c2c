/** Glue Data Catalog tables and Athena DDL for a lake (issue 7 item 5). */
export { planCatalog, projectionParameters, DEFAULT_FIRST_DAY, GENERATOR_PARAMETER, PARQUET_SERDE, PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT } from './glue.js';
export type { CatalogOptions, CatalogPlan, CatalogTable, PartitionProjection } from './glue.js';
export { createDatabaseDdl, createTableDdl, planDdl, addPartitionsDdl } from './ddl.js';
export { ddlType, glueType, quoteIdent } from './hive-types.js';
export { CatalogError, databaseName, tableName, lakeRoot, tableLocation } from './names.js';
export { registerCatalog } from './register.js';
export type { RegisterOptions, RegisterReport, RegisterResult, RegisterAction } from './register.js';
