import { rm, stat } from 'fs/promises';
import {
  isLoopbackHostname,
  runnerExportParamsSchema,
  type RunnerExportParams,
} from '@internal/plugin-vmware2scw-common';
import { assertThumbprint, createDiskAgent } from '../../export/PinnedTlsAgent';
import { downloadDisk, redactUrl } from '../../export/HttpDiskDownload';
import { RunnerError } from '../../RunnerError';
import { currentBootId } from '../../scratch/Durability';
import { VmManifest } from '../../scratch/VmManifest';
import { NbdDiskSource } from '../../export/NbdDiskSource';
import {
  nbdSourceKey,
  replaceNbdSource,
  stopNbdSource,
} from '../../export/NbdSources';
import { defineJobKind, JobContext } from '../JobKindDefinition';

function formatOf(params: RunnerExportParams): 'vmdk' | 'raw' {
  return (
    params.source.format ?? (params.source.kind === 'nfc' ? 'vmdk' : 'raw')
  );
}

export const exportJob = defineJobKind<RunnerExportParams>({
  kind: 'export',
  description:
    'Download a disk from an NFC lease URL or a datastore /folder URL (resumable, checksummed).',
  paramsSchema: runnerExportParamsSchema,
  vmOf: params => params.vm,
  disksOf: params => [params.disk],
  redact: params => ({
    ...params,
    source: {
      ...params.source,
      url: redactUrl(new URL(params.source.url)),
      auth: params.source.auth
        ? Object.fromEntries(
            Object.keys(params.source.auth).map(key => [key, '***']),
          )
        : undefined,
    },
  }),
  // A refreshed cookie or ticket does not make it another job.
  identity: params => ({
    ...params,
    source: {
      ...params.source,
      auth: params.source.auth
        ? Object.fromEntries(
            Object.keys(params.source.auth).map(key => [key, '***']),
          )
        : undefined,
    },
  }),
  validate: (params, services) => {
    const url = services.allowedHosts.assertAllowed(
      'params.source.url',
      params.source.url,
    );
    if (
      url.protocol === 'http:' &&
      params.source.auth &&
      params.source.tlsThumbprint === undefined &&
      !isLoopbackHostname(url.hostname)
    ) {
      throw new RunnerError({
        code: 'INSECURE_TRANSPORT',
        httpStatus: 400,
        message: `params.source.url is plain http to ${url.host}: the cookie or ticket in params.source.auth would cross the network in clear.`,
        remediation:
          'Use the https URL vSphere gives (pin the host certificate with params.source.tlsThumbprint if it is self-signed).',
      });
    }
    if (params.source.access === 'nbd' && params.source.kind !== 'datastore') {
      throw new RunnerError({
        code: 'INVALID_PARAMS',
        httpStatus: 400,
        message:
          'params.source.access "nbd" needs a datastore /folder URL: an NFC lease streams its VMDK sequentially only.',
        remediation: 'Leave access unset (download) for NFC exports.',
      });
    }
    if (params.source.tlsThumbprint !== undefined) {
      assertThumbprint(
        'params.source.tlsThumbprint',
        params.source.tlsThumbprint,
      );
      if (url.protocol !== 'https:') {
        throw new RunnerError({
          code: 'INVALID_PARAMS',
          httpStatus: 400,
          message: `params.source.tlsThumbprint is set but params.source.url is plain ${url.protocol}; the pin would protect nothing.`,
          remediation: 'Use the https URL of the ESXi host or vCenter.',
        });
      }
    }
  },
  // With a size hint, checked before the job starts; otherwise the download checks the Content-Length
  // it receives (claimScratch) before writing anything. A partial download is not counted twice.
  scratchNeeded: async (params, services) => {
    if (params.source.sizeBytes === undefined || params.source.access === 'nbd')
      return 0;
    const partial = await stat(
      `${services.scratch.diskFile(
        params.vm,
        params.disk,
        formatOf(params),
      )}.partial`,
    ).catch(() => undefined);
    return Math.max(0, params.source.sizeBytes - (partial?.size ?? 0));
  },
  run: async (params, context) => {
    const url = context.allowedHosts.assertAllowed(
      'params.source.url',
      params.source.url,
    );
    const format = formatOf(params);
    await context.scratch.ensureVmDir(params.vm);
    const target = context.scratch.diskFile(params.vm, params.disk, format);
    const manifest = new VmManifest(context.scratch, params.vm);
    // A new export supersedes what this disk had: until it completes, no later stage may use the old files
    // (the source is renamed over, and a qcow2 of the old source must not be paired with the new one).
    await manifest.update(params.disk, record => {
      record.source = undefined;
      record.qcow2 = undefined;
      record.busy = undefined;
      record.stages = {};
    });
    // a new export replaces the source this disk was served from, if any
    await stopNbdSource(nbdSourceKey(context.scratch, params.vm, params.disk));
    if (params.source.access === 'nbd') {
      return serveSource(params, url, manifest, context);
    }
    context.log(`export ${redactUrl(url)} -> ${target}`);
    context.progress.setPhase('downloading');
    const started = Date.now();
    const dispatcher = createDiskAgent(params.source.tlsThumbprint);
    let result: Awaited<ReturnType<typeof downloadDisk>>;
    try {
      result = await downloadDisk({
        url,
        headers: authHeaders(params),
        target,
        allowedHosts: context.allowedHosts,
        dispatcher,
        idempotencyKey: context.idempotencyKey,
        signal: context.signal,
        log: context.log,
        wantSha1: Boolean(params.source.expectedSha1),
        checkRoom: async needed => {
          if (params.source.sizeBytes === undefined)
            await context.claimScratch(
              needed,
              `export of VM ${params.vm} disk ${params.disk}`,
            );
        },
        onProgress: p =>
          context.progress.update(params.disk, p.bytesDone, p.bytesTotal),
      });
    } finally {
      await dispatcher.close().catch(() => undefined);
    }
    for (const [name, expected, actual] of [
      ['sha256', params.source.expectedSha256, result.sha256],
      ['sha1', params.source.expectedSha1, result.sha1],
    ] as const) {
      if (expected && expected.toLowerCase() !== actual) {
        // The bytes are complete but not the expected ones: keep nobody from using them.
        await rm(target, { force: true });
        throw new RunnerError({
          code: 'CHECKSUM_MISMATCH',
          message: `VM ${params.vm} disk ${params.disk}: downloaded ${name} ${actual} differs from the expected ${expected}.`,
          remediation:
            'Run export again (it downloads from scratch); if it repeats, check the source (snapshot changed, proxy rewriting content).',
        });
      }
    }
    await manifest.update(params.disk, record => {
      record.source = {
        file: target,
        format,
        bytes: result.bytes,
        sha256: result.sha256,
        jobId: context.jobId,
        bootId: currentBootId(),
      };
      record.qcow2 = undefined;
      record.busy = undefined;
      record.stages = {};
    });
    manifest.flushInBackground(params.disk, 'source', context.jobId, target);
    const seconds = (Date.now() - started) / 1000;
    context.log(
      `exported ${result.bytes} bytes in ${seconds.toFixed(1)} s (${
        result.bytesWritten
      } written, ${result.resumes} resume(s)), sha256 ${result.sha256}`,
    );
    return {
      file: target,
      format,
      bytes: result.bytes,
      bytesWritten: result.bytesWritten,
      sha256: result.sha256,
      sha1: result.sha1,
      resumes: result.resumes,
      seconds,
    };
  },
});

/**
 * access "nbd": nothing is downloaded; the disk is served on demand by nbdkit for the later stages
 * (convert puts a qcow2 overlay on it) until cleanup.
 */
async function serveSource(
  params: RunnerExportParams,
  url: URL,
  manifest: VmManifest,
  context: JobContext,
) {
  context.progress.setPhase('serving the source on demand (nbdkit)');
  const dispatcher = createDiskAgent(params.source.tlsThumbprint);
  let source: NbdDiskSource;
  try {
    source = await replaceNbdSource(
      nbdSourceKey(context.scratch, params.vm, params.disk),
      () =>
        NbdDiskSource.start({
          url,
          headers: authHeaders(params),
          allowedHosts: context.allowedHosts,
          dispatcher,
          dir: context.scratch.vmDir(params.vm),
          name: params.disk,
          log: context.log,
        }),
    );
  } catch (error) {
    await dispatcher.close().catch(() => undefined);
    throw error;
  }
  await manifest.update(params.disk, record => {
    record.source = {
      file: source.uri,
      format: 'raw',
      bytes: source.size,
      sha256: '',
      access: 'nbd',
      jobId: context.jobId,
      bootId: currentBootId(),
      durable: true,
    };
    record.qcow2 = undefined;
    record.busy = undefined;
    record.stages = {};
  });
  context.progress.update(params.disk, source.size, source.size);
  return {
    file: source.uri,
    format: 'raw',
    access: 'nbd',
    bytes: source.size,
    bytesWritten: 0,
    sha256: '',
    resumes: 0,
    seconds: 0,
  };
}

function authHeaders(params: RunnerExportParams): Record<string, string> {
  const cookies: string[] = [];
  if (params.source.auth?.cookie) cookies.push(params.source.auth.cookie);
  if (params.source.auth?.ticket)
    cookies.push(`vmware_cgi_ticket=${params.source.auth.ticket}`);
  return cookies.length > 0 ? { cookie: cookies.join('; ') } : {};
}
