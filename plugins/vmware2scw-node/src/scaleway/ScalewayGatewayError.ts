import { Vmware2scwError } from '@internal/plugin-vmware2scw-common';

/** Stable codes of the Scaleway gateway's errors (the `code` of the error body). */
export const SCALEWAY_ERROR_CODES = [
  'SCW_CONFIG_INVALID',
  'SCW_INPUT_INVALID',
  'SCW_AUTH_DENIED',
  'SCW_PERMISSION_DENIED',
  'SCW_QUOTA_EXCEEDED',
  'SCW_OUT_OF_STOCK',
  'SCW_QCOW2_ENCRYPTED',
  'SCW_QCOW2_ZSTD',
  'SCW_QCOW2_BACKING_CHAIN',
  'SCW_QCOW2_INVALID',
  'SCW_DISK_SIZE_OUT_OF_RANGE',
  'SCW_BUCKET_REGION',
  'SCW_OBJECT_NOT_FOUND',
  'SCW_IMPORT_FAILED',
  'SCW_IMAGE_FAILED',
  'SCW_SERVER_FAILED',
  'SCW_SERVER_CONFLICT',
  'SCW_RESOURCE_IN_USE',
  'SCW_NOT_FOUND',
  'SCW_INVALID_ARGUMENTS',
  'SCW_REQUEST_REFUSED',
  'SCW_TRANSIENT_STATE',
  'SCW_RATE_LIMITED',
  'SCW_API_UNAVAILABLE',
  'SCW_NETWORK',
  'SCW_TIMEOUT',
  'SCW_ABORTED',
] as const;
export type ScalewayErrorCode = (typeof SCALEWAY_ERROR_CODES)[number];

/** The Scaleway resource (or disk) an error is about; ids only, never secrets. */
export interface ScalewayErrorSubject {
  kind: 'snapshot' | 'image' | 'server' | 'volume' | 'disk' | 'config';
  id?: string;
  /** The disk of the migration (its id and the label people know it by). */
  diskId?: string;
  diskLabel?: string;
}

export interface ScalewayGatewayErrorOptions {
  code: ScalewayErrorCode;
  message: string;
  remediation: string;
  subject?: ScalewayErrorSubject;
  /** HTTP status, Scaleway's error `type` and its own message (secrets removed), when it answered. */
  httpStatus?: number;
  scalewayType?: string;
  scalewayMessage?: string;
  /** Trying again later (or resuming the stage) can succeed without changing anything. */
  retryable?: boolean;
}

/**
 * An error of the Scaleway gateway: the common base (code, message naming the disk or resource,
 * remediation) plus what Scaleway said. Never carries the SDK error as `cause` (its text could quote a
 * key); its message is kept, redacted, in `scalewayMessage`.
 */
export class ScalewayGatewayError extends Vmware2scwError {
  readonly subject?: ScalewayErrorSubject;
  readonly httpStatus?: number;
  readonly scalewayType?: string;
  readonly scalewayMessage?: string;
  readonly retryable: boolean;

  constructor(options: ScalewayGatewayErrorOptions) {
    const facts = {
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.httpStatus ? { httpStatus: options.httpStatus } : {}),
      ...(options.scalewayType ? { scalewayType: options.scalewayType } : {}),
      ...(options.scalewayMessage
        ? { scalewayMessage: options.scalewayMessage }
        : {}),
      retryable: options.retryable ?? false,
    };
    super({
      code: options.code,
      message: options.message,
      remediation: options.remediation,
      details: facts,
    });
    this.subject = options.subject;
    this.httpStatus = options.httpStatus;
    this.scalewayType = options.scalewayType;
    this.scalewayMessage = options.scalewayMessage;
    this.retryable = options.retryable ?? false;
  }
}

/** Scaleway refused the uploaded image (zstd, backing chain, encryption, not a qcow2, size out of range). */
export class ScalewayImageRejectedError extends ScalewayGatewayError {}

/** A quota of the project is reached. */
export class ScalewayQuotaError extends ScalewayGatewayError {}

/** The commercial type cannot be had in the zone right now. */
export class ScalewayOutOfStockError extends ScalewayGatewayError {}

/** Credentials refused, or the key lacks a permission. */
export class ScalewayAccessError extends ScalewayGatewayError {}

/** A resource did not reach the expected state in time; it may still get there (resume adopts it). */
export class ScalewayTimeoutError extends ScalewayGatewayError {}

/** The caller's AbortSignal fired; what was already requested keeps going on Scaleway's side. */
export class ScalewayAbortedError extends ScalewayGatewayError {}

/** A resource ended in Scaleway's `error` state, or not in the expected one. */
export class ScalewayResourceFailedError extends ScalewayGatewayError {}
