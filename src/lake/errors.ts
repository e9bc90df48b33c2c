/**
 * Errors of the source-management API, one class per error shape of Amazon Security Lake's API model
 * (`../shared/docs/security-lake.md` §2.1). Each carries the model's fields (`message`, and
 * `resourceName`/`resourceType` etc. where the shape has them) plus `httpStatus`, so a caller can map
 * them to HTTP or exit codes. `name` is the AWS shape name (`ResourceNotFoundException`, ...).
 */

/** Common base: every error the data lake API throws on purpose. */
export abstract class SecurityLakeException extends Error {
  abstract readonly httpStatus: number;
  /** `client` for 4xx shapes, `server` for 5xx (as the AWS SDK's `$fault`). */
  abstract readonly fault: 'client' | 'server';
  /** True when retrying the same call later can succeed (Conflict, Throttling, InternalServer). */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** The error as the JSON body the AWS API would return (`__type` plus the shape's fields). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { __type: this.name, message: this.message };
    for (const [k, v] of Object.entries(this)) {
      if (v !== undefined && k !== 'httpStatus' && k !== 'fault' && k !== 'retryable' && k !== 'name') out[k] = v;
    }
    return out;
  }
}

/** 400: the request is invalid (a bad region, account id, source name or version, an empty list, a bad token). */
export class BadRequestException extends SecurityLakeException {
  override readonly name = 'BadRequestException';
  readonly httpStatus = 400;
  readonly fault = 'client' as const;
}

/** 403: the store refused access (S3 AccessDenied, a local permission error). */
export class AccessDeniedException extends SecurityLakeException {
  override readonly name = 'AccessDeniedException';
  readonly httpStatus = 403;
  readonly fault = 'client' as const;
  constructor(
    message: string,
    readonly errorCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a {@link ResourceNotFoundException} or {@link ConflictException} is about. */
export interface ResourceRef {
  resourceName: string;
  /** `DataLake` (a region where the data lake is not enabled) or `DataLakeConfiguration` / `CollectionStatus`. */
  resourceType: string;
}

/**
 * 404: the resource does not exist. Thrown for every operation that names a Region where the data
 * lake is not enabled: `resourceType` is `DataLake`, `resourceName` the first such Region, and
 * `regions` lists all of them (an extension of the AWS shape).
 */
export class ResourceNotFoundException extends SecurityLakeException {
  override readonly name = 'ResourceNotFoundException';
  readonly httpStatus = 404;
  readonly fault = 'client' as const;
  readonly resourceName: string;
  readonly resourceType: string;
  readonly regions?: readonly string[];
  constructor(message: string, ref: ResourceRef & { regions?: readonly string[] }, options?: { cause?: unknown }) {
    super(message, options);
    this.resourceName = ref.resourceName;
    this.resourceType = ref.resourceType;
    if (ref.regions) this.regions = ref.regions;
  }
}

/**
 * 409: the change conflicted with concurrent writes more times than the retry budget allows ("a
 * conflict with a previous successful write … retry with backoff"). No change was applied.
 */
export class ConflictException extends SecurityLakeException {
  override readonly name = 'ConflictException';
  readonly httpStatus = 409;
  readonly fault = 'client' as const;
  override readonly retryable = true;
  readonly resourceName: string;
  readonly resourceType: string;
  constructor(message: string, ref: ResourceRef, options?: { cause?: unknown }) {
    super(message, options);
    this.resourceName = ref.resourceName;
    this.resourceType = ref.resourceType;
  }
}

/** 429: the store throttled us (S3 `SlowDown`) after the SDK's own retries. */
export class ThrottlingException extends SecurityLakeException {
  override readonly name = 'ThrottlingException';
  readonly httpStatus = 429;
  readonly fault = 'client' as const;
  override readonly retryable = true;
  readonly quotaCode?: string;
  readonly serviceCode?: string;
  readonly retryAfterSeconds?: number;
  constructor(
    message: string,
    fields: { quotaCode?: string; serviceCode?: string; retryAfterSeconds?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    if (fields.quotaCode !== undefined) this.quotaCode = fields.quotaCode;
    if (fields.serviceCode !== undefined) this.serviceCode = fields.serviceCode;
    if (fields.retryAfterSeconds !== undefined) this.retryAfterSeconds = fields.retryAfterSeconds;
  }
}

/** 500: the store failed (an I/O error, an unreadable or corrupt configuration document). */
export class InternalServerException extends SecurityLakeException {
  override readonly name = 'InternalServerException';
  readonly httpStatus = 500;
  readonly fault = 'server' as const;
  override readonly retryable = true;
}
