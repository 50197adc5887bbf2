import {
  createAdvancedClient,
  withHTTPClient,
  withProfile,
  type Zone,
} from '@scaleway/sdk-client';
import type { ScalewayConfig } from '../config';
import { redact } from './redact';

export type ScalewaySdkClient = ReturnType<typeof createAdvancedClient>;

/** The fields of `vmware2scw.scaleway` an SDK client needs. */
export type ScalewayClientConfig = Pick<
  ScalewayConfig,
  'accessKey' | 'secretKey' | 'apiUrl' | 'defaultZone' | 'projectId'
>;

/**
 * The Scaleway SDK client of a configuration; `httpClient` replaces `fetch`. Throws an Error whose
 * message has the keys redacted: the SDK quotes a malformed key ("Invalid secret key format '<key>'").
 */
export function scalewaySdkClient(
  config: ScalewayClientConfig,
  httpClient?: typeof fetch,
): ScalewaySdkClient {
  try {
    // createClient() keeps only profile fields and would drop `httpClient`: build it from parts.
    return createAdvancedClient(
      withProfile({
        accessKey: config.accessKey,
        secretKey: config.secretKey,
        defaultProjectId: config.projectId,
        defaultZone: config.defaultZone as Zone,
        ...(config.apiUrl ? { apiURL: config.apiUrl } : {}),
      }),
      ...(httpClient ? [withHTTPClient(httpClient)] : []),
    );
  } catch (e) {
    throw new Error(
      redact(e instanceof Error ? e.message : String(e), [
        config.secretKey,
        config.accessKey,
      ]),
    );
  }
}
