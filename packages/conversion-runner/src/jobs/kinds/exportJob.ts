import { stat } from 'fs/promises';
import { request } from 'undici';
import { z } from 'zod';
import { createDiskAgent } from '../../export/PinnedTlsAgent';
import { downloadDisk, redactUrl } from '../../export/HttpDiskDownload';
import { RunnerError } from '../../RunnerError';
import { safeNameSchema } from '../../scratch/SafeName';
import { VmManifest } from '../../scratch/VmManifest';
import { defineJobKind } from '../JobKind';

export const exportParamsSchema = z
  .object({
    vm: safeNameSchema,
    disk: safeNameSchema,
    source: z
      .object({
        /** nfc: an HttpNfcLease device URL (streamOptimized VMDK); datastore: a /folder URL of a -flat.vmdk. */
        kind: z.enum(['nfc', 'datastore']),
        url: z.string().url(),
        /** What the bytes are: nfc -> vmdk (streamOptimized), datastore flat extent -> raw. */
        format: z.enum(['vmdk', 'raw']).optional(),
        auth: z
          .object({
            /** A vSphere session cookie, e.g. "vmware_soap_session=...". */
            cookie: z.string().optional(),
            /** A generic service ticket (AcquireGenericServiceTicket), sent as the vmware_cgi_ticket cookie. */
            ticket: z.string().optional(),
          })
          .strict()
          .optional(),
        /** Pin the host certificate instead of verifying its chain (self-signed ESXi). */
        tlsThumbprint: z.string().optional(),
        /** Expected size, for the scratch check (e.g. the disk's committed bytes); defaults to Content-Length. */
        sizeBytes: z.number().int().nonnegative().optional(),
        expectedSha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/)
          .optional(),
        expectedSha1: z
          .string()
          .regex(/^[0-9a-fA-F]{40}$/)
          .optional(),
      })
      .strict(),
  })
  .strict();
export type ExportParams = z.infer<typeof exportParamsSchema>;

function formatOf(params: ExportParams): 'vmdk' | 'raw' {
  return (
    params.source.format ?? (params.source.kind === 'nfc' ? 'vmdk' : 'raw')
  );
}

export const exportJob = defineJobKind<ExportParams>({
  kind: 'export',
  description:
    'Download a disk from an NFC lease URL or a datastore /folder URL (resumable, checksummed).',
  paramsSchema: exportParamsSchema,
  vmOf: params => params.vm,
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
  validate: (params, services) => {
    services.allowedHosts.assertAllowed('params.source.url', params.source.url);
  },
  scratchNeeded: async (params, services) => {
    if (params.source.sizeBytes !== undefined) return params.source.sizeBytes;
    // Without a size hint, a HEAD tells the length; a partial download already on disk is not counted twice.
    const url = services.allowedHosts.assertAllowed(
      'params.source.url',
      params.source.url,
    );
    try {
      const response = await request(url, {
        method: 'HEAD',
        dispatcher: createDiskAgent(params.source.tlsThumbprint),
        headers: authHeaders(params),
        headersTimeout: 30_000,
      });
      await response.body.dump();
      const length = Number(response.headers['content-length'] ?? 0);
      const partial = await stat(
        `${services.scratch.diskFile(
          params.vm,
          params.disk,
          formatOf(params),
        )}.partial`,
      ).catch(() => undefined);
      return Math.max(0, length - (partial?.size ?? 0));
    } catch {
      return 0;
    }
  },
  run: async (params, context) => {
    const url = context.allowedHosts.assertAllowed(
      'params.source.url',
      params.source.url,
    );
    const format = formatOf(params);
    await context.scratch.ensureVmDir(params.vm);
    const target = context.scratch.diskFile(params.vm, params.disk, format);
    context.log(`export ${redactUrl(url)} -> ${target}`);
    context.progress.setPhase('downloading');
    const started = Date.now();
    const result = await downloadDisk({
      url,
      headers: authHeaders(params),
      target,
      allowedHosts: context.allowedHosts,
      dispatcher: createDiskAgent(params.source.tlsThumbprint),
      signal: context.signal,
      log: context.log,
      wantSha1: Boolean(params.source.expectedSha1),
      onProgress: p =>
        context.progress.update(params.disk, p.bytesDone, p.bytesTotal),
    });
    for (const [name, expected, actual] of [
      ['sha256', params.source.expectedSha256, result.sha256],
      ['sha1', params.source.expectedSha1, result.sha1],
    ] as const) {
      if (expected && expected.toLowerCase() !== actual) {
        throw new RunnerError({
          code: 'CHECKSUM_MISMATCH',
          message: `VM ${params.vm} disk ${params.disk}: downloaded ${name} ${actual} differs from the expected ${expected}.`,
          remediation:
            'Run cleanup for this VM and export again; if it repeats, check the source (snapshot changed, proxy rewriting content).',
        });
      }
    }
    await new VmManifest(context.scratch, params.vm).update(
      params.disk,
      record => {
        record.source = {
          file: target,
          format,
          bytes: result.bytes,
          sha256: result.sha256,
        };
        record.qcow2 = undefined;
        record.busy = undefined;
        record.stages = {};
      },
    );
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

function authHeaders(params: ExportParams): Record<string, string> {
  const cookies: string[] = [];
  if (params.source.auth?.cookie) cookies.push(params.source.auth.cookie);
  if (params.source.auth?.ticket)
    cookies.push(`vmware_cgi_ticket=${params.source.auth.ticket}`);
  return cookies.length > 0 ? { cookie: cookies.join('; ') } : {};
}
