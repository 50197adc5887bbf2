import {
  DeleteObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Vmware2scwError } from '@internal/plugin-vmware2scw-common';

/**
 * The Object Storage bucket that carries qcow2 images from the runners to Scaleway's import, from the
 * backend's side: it only checks and deletes the transit objects (the runners upload them).
 */
export class TransitBucket {
  private readonly s3: S3Client;

  constructor(
    readonly bucket: string,
    readonly region: string,
    options: {
      endpoint?: string;
      accessKeyId: string;
      secretAccessKey: string;
    },
  ) {
    this.s3 = new S3Client({
      region,
      endpoint: (options.endpoint ?? 'https://s3.{region}.scw.cloud').replace(
        '{region}',
        region,
      ),
      forcePathStyle: Boolean(options.endpoint),
      credentials: {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      },
    });
  }

  async exists(key: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
        {
          abortSignal: signal,
        },
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound') return false;
      throw this.error('check', key, err);
    }
  }

  /** Deletes an object; an object already gone is not an error (the step can run twice). */
  async delete(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.s3.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: key }),
        {
          abortSignal: signal,
        },
      );
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return;
      throw this.error('delete', key, err);
    }
  }

  private error(what: string, key: string, err: unknown): Vmware2scwError {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return new Vmware2scwError({
      code: 'TRANSIT_OBJECT_FAILED',
      message: `Could not ${what} s3://${this.bucket}/${key}: ${
        e.name ?? 'error'
      } (HTTP ${e.$metadata?.httpStatusCode ?? '?'})`,
      remediation:
        'Check that the Scaleway keys of vmware2scw.scaleway may read and delete objects of the transit bucket.',
    });
  }

  destroy(): void {
    this.s3.destroy();
  }
}
