import { Errors } from '@scaleway/sdk-client';
import { scalewayErrorFrom } from './scalewayErrorFrom';
import {
  ScalewayAbortedError,
  ScalewayImageRejectedError,
  ScalewayQuotaError,
} from './ScalewayGatewayError';

const SECRET = '11111111-2222-4333-8444-555555555555';
const context = {
  action:
    'Import of disk "Hard disk 2" (2001) from s3://transit/m-1/disk-1.qcow2 into fr-par-1',
  zone: 'fr-par-1',
  secrets: [SECRET, 'SCWABCDEFGHIJ0123456'],
  subject: { kind: 'disk' as const, diskId: '2001', diskLabel: 'Hard disk 2' },
  disk: {
    label: 'Hard disk 2',
    sizeBytes: 500e9,
    bucket: 'transit',
    key: 'm-1/disk-1.qcow2',
  },
};

describe('scalewayErrorFrom', () => {
  it('names the disk and keeps Scaleway’s words, minus the keys', () => {
    const error = scalewayErrorFrom(
      new Errors.ScalewayError(400, {
        type: 'invalid_request_error',
        message: `The provided QCOW2 has an unsupported compression type (token ${SECRET})`,
      }),
      context,
    );
    expect(error).toBeInstanceOf(ScalewayImageRejectedError);
    expect(error.toBody()).toMatchObject({
      code: 'SCW_QCOW2_ZSTD',
      message: expect.stringContaining('Hard disk 2'),
      remediation: expect.stringContaining('compression_type=zlib'),
    });
    expect(error.message).toContain('s3://transit/m-1/disk-1.qcow2');
    expect(error.scalewayMessage).toContain('[redacted]');
    expect(
      JSON.stringify({ ...error.toBody(), stack: error.stack }),
    ).not.toContain(SECRET);
  });

  it('reads quotas from the standard body, with the resource and its limit', () => {
    const error = scalewayErrorFrom(
      Errors.QuotasExceededError.fromJSON(403, {
        type: 'quotas_exceeded',
        message: 'quota(s) exceeded for this resource',
        details: [{ resource: 'block_snapshots', quota: 10, current: 10 }],
      }),
      context,
    );
    expect(error).toBeInstanceOf(ScalewayQuotaError);
    expect(error.message).toContain('block_snapshots (10/10)');
    expect(error.remediation).toContain('Organization > Quotas');
  });

  it('tells a lost answer (retry adopts) from an abort (nothing to fix)', () => {
    const network = scalewayErrorFrom(
      new TypeError('fetch failed', {
        cause: new Error('other side closed'),
      }),
      context,
    );
    expect(network.toBody()).toMatchObject({
      code: 'SCW_NETWORK',
      details: { retryable: true },
    });
    expect(network.message).toContain('other side closed');
    const controller = new AbortController();
    controller.abort();
    const aborted = scalewayErrorFrom(new TypeError('fetch failed'), {
      ...context,
      signal: controller.signal,
    });
    expect(aborted).toBeInstanceOf(ScalewayAbortedError);
  });

  it('redacts keys from errors the SDK did not type', () => {
    const error = scalewayErrorFrom(
      new Error(`Invalid secret key format '${SECRET}'`),
      context,
    );
    expect(error.code).toBe('SCW_REQUEST_REFUSED');
    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain('[redacted]');
  });
});
