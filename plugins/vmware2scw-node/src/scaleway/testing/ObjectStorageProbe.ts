import {
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  parseQcow2Header,
  QCOW2_HEADER_READ_BYTES,
  type Qcow2Header,
} from './Qcow2Header';

export interface ObjectStorageEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Path-style addressing; loopback servers need it. Default true. */
  forcePathStyle?: boolean;
}

export type ObjectProbe =
  | { kind: 'qcow2'; header: Qcow2Header; objectBytes: number }
  | { kind: 'invalid'; reason: string; objectBytes: number }
  | { kind: 'no-object' };

/**
 * What Scaleway's import reads from Object Storage before accepting an image, done for real against an
 * S3-compatible server: the bucket's region (GetBucketLocation), the object's existence and size
 * (HeadObject), and its qcow2 header (a ranged GetObject of the first bytes).
 */
export class ObjectStorageProbe {
  private readonly client: S3Client;
  private readonly locations = new Map<string, Promise<string | undefined>>();

  constructor(readonly storage: ObjectStorageEndpoint) {
    this.client = new S3Client({
      endpoint: storage.endpoint,
      region: storage.region,
      forcePathStyle: storage.forcePathStyle ?? true,
      credentials: storage.credentials,
    });
  }

  /** The bucket's region, `undefined` when it does not exist. */
  bucketRegion(bucket: string): Promise<string | undefined> {
    let location = this.locations.get(bucket);
    if (!location) {
      location = this.client
        .send(new GetBucketLocationCommand({ Bucket: bucket }))
        .then(
          r => r.LocationConstraint || this.storage.region,
          e => {
            if (isMissing(e)) return undefined;
            throw e;
          },
        );
      this.locations.set(bucket, location);
      location.then(
        region => {
          if (!region) this.locations.delete(bucket);
        },
        () => this.locations.delete(bucket),
      );
    }
    return location;
  }

  async probe(bucket: string, key: string): Promise<ObjectProbe> {
    let objectBytes: number;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key }),
      );
      objectBytes = head.ContentLength ?? 0;
    } catch (e) {
      if (isMissing(e)) return { kind: 'no-object' };
      throw e;
    }
    if (objectBytes === 0)
      return { kind: 'invalid', reason: 'empty object', objectBytes };
    const object = await this.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=0-${QCOW2_HEADER_READ_BYTES - 1}`,
      }),
    );
    const bytes = await object.Body!.transformToByteArray();
    const parsed = parseQcow2Header(bytes);
    return 'invalid' in parsed
      ? { kind: 'invalid', reason: parsed.invalid, objectBytes }
      : { kind: 'qcow2', header: parsed.header, objectBytes };
  }

  close(): void {
    this.client.destroy();
  }
}

function isMissing(e: unknown): boolean {
  return (
    e instanceof S3ServiceException &&
    (e.$metadata.httpStatusCode === 404 ||
      e.name === 'NoSuchBucket' ||
      e.name === 'NoSuchKey' ||
      e.name === 'NotFound')
  );
}
