import {
  IMPORT_MAX_BYTES,
  IMPORT_MIN_BYTES,
} from '@internal/plugin-vmware2scw-common';
import { Errors } from '@scaleway/sdk-client';
import { redact } from './redact';
import {
  ScalewayAbortedError,
  ScalewayAccessError,
  ScalewayGatewayError,
  ScalewayImageRejectedError,
  ScalewayOutOfStockError,
  ScalewayQuotaError,
  type ScalewayErrorCode,
  type ScalewayErrorSubject,
} from './ScalewayGatewayError';

/** What the gateway was doing when the error happened: it names the disk or resource at fault. */
export interface ScalewayErrorContext {
  /** `import of disk "Hard disk 1" (2000) from s3://transit/m-1/disk-0.qcow2`, `creation of server web-01` */
  action: string;
  subject?: ScalewayErrorSubject;
  zone: string;
  /** Values never to show (the API keys). */
  secrets: readonly string[];
  /** The caller's signal: an abort is reported as such, not as a network failure. */
  signal?: AbortSignal;
  /** The disk being imported, for the remediation of image refusals. */
  disk?: { label: string; sizeBytes: number; bucket: string; key: string };
  commercialType?: string;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/**
 * Turns whatever the SDK (or the transport under it) threw into a typed gateway error with a
 * remediation a person can act on. Scaleway's own message is kept (redacted) and matched to tell the
 * import refusals apart: they all come as `invalid_request_error`, which the SDK maps to a plain
 * `ScalewayError` (scaleway.md §2, §6.5).
 */
export function scalewayErrorFrom(
  error: unknown,
  context: ScalewayErrorContext,
): ScalewayGatewayError {
  if (error instanceof ScalewayGatewayError) return error;
  const clean = (text: string) => redact(text, context.secrets);
  const subject = context.subject;
  if (context.signal?.aborted) {
    return new ScalewayAbortedError({
      code: 'SCW_ABORTED',
      message: `${context.action}: stopped on request`,
      remediation:
        'Nothing to fix: what was already requested keeps going at Scaleway; running the stage again adopts it.',
      subject,
      retryable: true,
    });
  }
  if (error instanceof Errors.ScalewayError) {
    const status = error.status;
    const body = (error.body ?? {}) as Record<string, unknown>;
    const type = typeof body.type === 'string' ? body.type : undefined;
    const said = clean(error.rawMessage ?? error.message);
    const make = (
      Kind: typeof ScalewayGatewayError,
      code: ScalewayErrorCode,
      reason: string,
      remediation: string,
      retryable = false,
    ) =>
      new Kind({
        code,
        message: `${context.action}: ${clean(reason)}`,
        remediation: clean(remediation),
        subject,
        httpStatus: status,
        scalewayType: type,
        scalewayMessage: said,
        retryable,
      });

    if (error instanceof Errors.QuotasExceededError) {
      const resources = error.list
        .map(q =>
          q.quota
            ? `${q.resource} (${q.current}/${q.quota})`
            : q.resource || 'this resource',
        )
        .join(', ');
      return make(
        ScalewayQuotaError,
        'SCW_QUOTA_EXCEEDED',
        `Scaleway quota exceeded: ${resources || 'this resource'}`,
        `Raise the quota of ${
          resources || 'this resource'
        } for the project (Scaleway console: Organization > Quotas), or delete resources the project no longer needs, then run the stage again.`,
      );
    }
    if (error instanceof Errors.OutOfStockError) {
      const what = context.commercialType ?? error.resource;
      return make(
        ScalewayOutOfStockError,
        'SCW_OUT_OF_STOCK',
        `${what} is out of stock in ${context.zone}`,
        `Pick another commercial type (or another zone) for this VM in the plan, or run the stage again later; the availability of each type is shown by the catalog (products/servers/availability).`,
        true,
      );
    }
    if (error instanceof Errors.DeniedAuthenticationError)
      return make(
        ScalewayAccessError,
        'SCW_AUTH_DENIED',
        'Scaleway refused the API key',
        'Check vmware2scw.scaleway.accessKey and secretKey: the key must exist, be active and not expired (Scaleway console: IAM > API keys).',
      );
    if (error instanceof Errors.PermissionsDeniedError) {
      const missing = error.list
        .map(p => `${p.action} ${p.resource}`)
        .join(', ');
      return make(
        ScalewayAccessError,
        'SCW_PERMISSION_DENIED',
        `the API key lacks a permission${missing ? `: ${missing}` : ''}`,
        'Give the API key’s user or application a policy with BlockStorageFullAccess, InstancesFullAccess and ObjectStorageReadOnly on the project (Scaleway console: IAM > Policies).',
      );
    }
    if (error instanceof Errors.TooManyRequestsError || status === 429)
      return make(
        ScalewayGatewayError,
        'SCW_RATE_LIMITED',
        'Scaleway is rate-limiting the API key',
        'Run the stage again in a minute, or lower the plan’s concurrency so fewer migrations call the API at once.',
        true,
      );
    if (error instanceof Errors.ResourceNotFoundError)
      return make(
        ScalewayGatewayError,
        'SCW_NOT_FOUND',
        `${error.resource} ${error.resourceId} does not exist (any more) in ${context.zone}`,
        'It was deleted outside this migration, or belongs to another zone: run the stage that creates it again.',
      );
    if (error instanceof Errors.TransientStateError)
      return make(
        ScalewayGatewayError,
        'SCW_TRANSIENT_STATE',
        `${error.resource} ${error.resourceId} is busy (${error.currentState})`,
        'Run the stage again once the resource has settled; nothing needs changing.',
        true,
      );
    if (error instanceof Errors.PreconditionFailedError)
      return make(
        ScalewayGatewayError,
        'SCW_RESOURCE_IN_USE',
        error.message,
        'Delete what still uses it first (the server before its volumes, the image before its snapshots), then retry.',
      );

    const disk = context.disk;
    const where = disk ? `s3://${disk.bucket}/${disk.key}` : 'the object';
    const label = disk ? `disk "${disk.label}"` : 'the disk';
    const reupload = `upload it again (stage upload_s3) and run import_scw again`;
    if (/encrypt/i.test(said))
      return make(
        ScalewayImageRejectedError,
        'SCW_QCOW2_ENCRYPTED',
        `Scaleway refused ${where}: ${said}`,
        `Write an unencrypted qcow2 of ${label} (qemu-img convert -O qcow2 without encrypt options), ${reupload}.`,
      );
    if (/compression/i.test(said))
      return make(
        ScalewayImageRejectedError,
        'SCW_QCOW2_ZSTD',
        `Scaleway refused ${where}: ${said}`,
        `Scaleway accepts only zlib-compressed clusters: convert ${label} again with qemu-img convert -O qcow2 -o compression_type=zlib (or without -c), ${reupload}.`,
      );
    if (/backing/i.test(said))
      return make(
        ScalewayImageRejectedError,
        'SCW_QCOW2_BACKING_CHAIN',
        `Scaleway refused ${where}: ${said}`,
        `Flatten ${label} into a standalone image (qemu-img convert -O qcow2 <image> <flat.qcow2>, without -B), ${reupload}.`,
      );
    if (/gigabyte|terabyte|volume size/i.test(said))
      return make(
        ScalewayImageRejectedError,
        'SCW_DISK_SIZE_OUT_OF_RANGE',
        `Scaleway refused ${where}: ${said}`,
        `Scaleway imports images of ${IMPORT_MIN_BYTES / 1e9} GB to ${
          IMPORT_MAX_BYTES / 1e12
        } TB virtual size (decimal units)${
          disk ? ` (${label} is declared ${gb(disk.sizeBytes)})` : ''
        }: grow a smaller disk (in vSphere, or qemu-img resize <image> 1G) or shrink a larger one, then convert and upload it again.`,
      );
    if (/bucket/i.test(said) && /region/i.test(said))
      return make(
        ScalewayGatewayError,
        'SCW_BUCKET_REGION',
        `Scaleway cannot read ${where} from ${context.zone}: ${said}`,
        `Block imports read buckets of the zone's own region (${context.zone.replace(
          /-\d+$/,
          '',
        )}): use a transit bucket there (vmware2scw.scaleway.transitBucket and s3Region), or migrate to a zone of the bucket's region.`,
      );
    if (
      /does not exist|not found|no such/i.test(said) &&
      /object|key|bucket/i.test(said)
    )
      return make(
        ScalewayGatewayError,
        'SCW_OBJECT_NOT_FOUND',
        `Scaleway cannot find ${where}: ${said}`,
        `Upload ${label} again (stage upload_s3): the object is missing (removed by a cleanup or a bucket lifecycle rule?), then run import_scw again.`,
      );
    if (/qcow/i.test(said))
      return make(
        ScalewayImageRejectedError,
        'SCW_QCOW2_INVALID',
        `Scaleway refused ${where}: ${said}`,
        `The object is not a usable qcow2: check ${label} on the runner (qemu-img info and qemu-img check), convert and upload it again.`,
      );
    if (/quota/i.test(said))
      return make(
        ScalewayQuotaError,
        'SCW_QUOTA_EXCEEDED',
        `Scaleway quota exceeded: ${said}`,
        'Raise the quota for the project (Scaleway console: Organization > Quotas), or delete resources the project no longer needs, then run the stage again.',
      );
    if (error instanceof Errors.InvalidArgumentsError)
      return make(
        ScalewayGatewayError,
        'SCW_INVALID_ARGUMENTS',
        `Scaleway refused the request: ${clean(error.message)}`,
        'This is a defect of vmware2scw or a value of the plan Scaleway does not accept (see the argument named): fix the plan, or report it with this message.',
      );
    if (status >= 500)
      return make(
        ScalewayGatewayError,
        'SCW_API_UNAVAILABLE',
        `Scaleway answered ${status}${said ? `: ${said}` : ''}`,
        'A failure on Scaleway’s side: run the stage again later (it adopts what was already created); check https://status.scaleway.com if it lasts.',
        true,
      );
    return make(
      ScalewayGatewayError,
      'SCW_REQUEST_REFUSED',
      `Scaleway refused the request (${status}): ${said}`,
      'Read Scaleway’s message above; fix what it names (plan, configuration or uploaded image) and run the stage again.',
    );
  }
  const text = clean(
    error instanceof Error
      ? [error.message, (error.cause as Error | undefined)?.message]
          .filter(Boolean)
          .join(': ')
      : String(error),
  );
  if (
    error instanceof TypeError ||
    (error instanceof Error &&
      /fetch failed|socket|ECONN|ETIMEDOUT|EAI_AGAIN|timeout|terminated|aborted/i.test(
        text,
      ))
  ) {
    return new ScalewayGatewayError({
      code: 'SCW_NETWORK',
      message: `${context.action}: no answer from the Scaleway API (${text})`,
      remediation:
        'Check that the backend reaches the Scaleway API (proxy, DNS, firewall), then run the stage again: it finds and adopts what the lost request may have created.',
      subject,
      retryable: true,
    });
  }
  return new ScalewayGatewayError({
    code: 'SCW_REQUEST_REFUSED',
    message: `${context.action}: ${text}`,
    remediation:
      'Unexpected error from the Scaleway SDK: run the stage again; if it repeats, report it with this message.',
    subject,
  });
}
