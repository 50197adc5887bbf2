import { Dispatcher, request } from 'undici';
import { RunnerError } from '../RunnerError';
import { AllowedHosts } from './AllowedHosts';
import { SourceValidators } from './PartialOrigin';

export type DiskSourceOptions = {
  url: URL;
  headers: Record<string, string>;
  allowedHosts: AllowedHosts;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
};

/** What the source answered to a GET from `offset`. */
export type OpenedSource =
  | {
      kind: 'body';
      response: Dispatcher.ResponseData;
      /** The disk's size as announced (Content-Range total, else Content-Length). */
      total?: number;
      validators: SourceValidators;
    }
  /** 416: the source holds `size` bytes (when it says), not more than `offset`. */
  | { kind: 'unsatisfiable'; size?: number };

/**
 * GET of the disk from `offset` (`Range`, and `If-Range` with the validator the partial was taken
 * under), following redirects only to allow-listed hosts and never from https to http. Refusals that
 * a retry cannot fix are RunnerErrors; network-ish failures are plain errors (the caller retries).
 */
export async function openDiskSource(
  options: DiskSourceOptions,
  offset: number,
  ifRange?: string,
  /** Last byte wanted (inclusive): a bounded `Range` (random access); default to the end. */
  end?: number,
): Promise<OpenedSource> {
  let url = options.url;
  for (let hop = 0; hop < 5; hop++) {
    const response = await request(url, {
      method: 'GET',
      dispatcher: options.dispatcher,
      signal: options.signal,
      headers: {
        // the cookie or ticket goes only to the host of the original URL, never to a redirect target elsewhere
        ...(sameOrigin(url, options.url) ? options.headers : {}),
        ...(offset > 0 || end !== undefined
          ? { range: `bytes=${offset}-${end ?? ''}` }
          : {}),
        ...(offset > 0 && ifRange ? { 'if-range': ifRange } : {}),
      },
      headersTimeout: 60_000,
      bodyTimeout: 120_000,
      // undici's default 64 KiB reads: a larger highWaterMark only made the stream concatenate chunks
      // (one more copy of every byte) before they are copied into the staging slots.
    });
    if (
      response.statusCode >= 300 &&
      response.statusCode < 400 &&
      response.headers.location
    ) {
      await response.body.dump();
      url = redirectTarget(options, url, String(response.headers.location));
      continue;
    }
    if (response.statusCode === 416 && offset > 0) {
      await response.body.dump();
      const size = String(response.headers['content-range'] ?? '').match(
        /^bytes \*\/(\d+)$/,
      )?.[1];
      return {
        kind: 'unsatisfiable',
        size: size === undefined ? undefined : Number(size),
      };
    }
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await response.body.dump();
      throw refusal(url, response.statusCode);
    }
    if (response.statusCode === 206 && (offset > 0 || end !== undefined)) {
      const start = Number(
        String(response.headers['content-range'] ?? '').match(
          /bytes (\d+)-/,
        )?.[1],
      );
      if (start !== offset) {
        await response.body.dump();
        throw new Error(`server resumed at ${start} instead of ${offset}`);
      }
    }
    return {
      kind: 'body',
      response,
      total: totalFrom(response, offset),
      validators: {
        sizeBytes: totalFrom(response, offset),
        etag: header(response, 'etag'),
        lastModified: header(response, 'last-modified'),
      },
    };
  }
  throw new RunnerError({
    code: 'EXPORT_FAILED',
    message: `${redactUrl(options.url)} redirected more than 5 times.`,
    remediation: 'Check the URL; vSphere export URLs do not redirect in loops.',
  });
}

/** A redirect must not lead the runner to a host the operator did not list, nor from TLS to clear text. */
function redirectTarget(
  options: DiskSourceOptions,
  from: URL,
  location: string,
): URL {
  const next = options.allowedHosts.assertAllowed(
    'redirect location',
    new URL(location, from).toString(),
  );
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    throw new RunnerError({
      code: 'REDIRECT_REFUSED',
      message: `${redactUrl(from)} redirected to plain ${redactUrl(
        next,
      )}; the cookie or ticket would travel in clear text.`,
      remediation:
        'Use the URL vSphere returned over https; check for a proxy rewriting the redirect.',
    });
  }
  return next;
}

function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

function refusal(url: URL, status: number): Error {
  if (status === 401 || status === 403) {
    return new RunnerError({
      code: 'EXPORT_UNAUTHORIZED',
      message: `${redactUrl(
        url,
      )} answered HTTP ${status}: the cookie or ticket was refused.`,
      remediation:
        'Acquire a fresh session cookie or service ticket (or keep the NFC lease alive) and submit export again.',
    });
  }
  if (status === 404) {
    return new RunnerError({
      code: 'EXPORT_NOT_FOUND',
      message: `${redactUrl(url)} answered HTTP 404.`,
      remediation:
        'Check the datastore path / NFC device URL; the lease may have expired or the snapshot been removed.',
    });
  }
  return new Error(`HTTP ${status}`);
}

function header(
  response: Dispatcher.ResponseData,
  name: string,
): string | undefined {
  const value = response.headers[name];
  return value === undefined ? undefined : String(value);
}

function totalFrom(
  response: Dispatcher.ResponseData,
  offset: number,
): number | undefined {
  const range = String(response.headers['content-range'] ?? '').match(
    /\/(\d+)$/,
  );
  if (range) return Number(range[1]);
  const length = response.headers['content-length'];
  if (length !== undefined)
    return Number(length) + (response.statusCode === 206 ? offset : 0);
  return undefined;
}

/** URLs are logged without their query string (datastore URLs carry dcPath/dsName, tickets may ride there too). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}
