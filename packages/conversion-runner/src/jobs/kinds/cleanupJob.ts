import {
  runnerCleanupParamsSchema,
  type RunnerCleanupParams,
} from '@internal/plugin-vmware2scw-common';
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { readdir, readFile } from 'fs/promises';
import { join } from 'path';
import { VmManifest } from '../../scratch/VmManifest';
import { createS3Client } from '../../upload/S3DiskUpload';
import { stopNbdSourcesUnder } from '../../export/NbdSources';
import { defineJobKind } from '../JobKindDefinition';

export const cleanupJob = defineJobKind<RunnerCleanupParams>({
  kind: 'cleanup',
  description:
    "Remove a VM's scratch files (and abort its unfinished multipart uploads, which are billed until aborted).",
  paramsSchema: runnerCleanupParamsSchema,
  vmOf: params => params.vm,
  redact: params => params,
  scratchNeeded: async () => 0,
  run: async (params, context) => {
    const dir = context.scratch.vmDir(params.vm);
    const names = await readdir(dir).catch(() => [] as string[]);
    const aborted: string[] = [];
    for (const name of names.filter(n => n.endsWith('.upload.json'))) {
      try {
        const journal = JSON.parse(await readFile(join(dir, name), 'utf8'));
        if (
          journal.uploadId &&
          !journal.completed &&
          context.config.s3Credentials
        ) {
          const region =
            journal.region ??
            String(journal.endpoint).match(/s3\.([a-z]{2}-[a-z]{3})\./)?.[1] ??
            'fr-par';
          const client = createS3Client({
            endpoint: journal.endpoint,
            region,
            forcePathStyle: context.config.s3.forcePathStyle,
            credentials: context.config.s3Credentials,
          });
          await client.send(
            new AbortMultipartUploadCommand({
              Bucket: journal.bucket,
              Key: journal.key,
              UploadId: journal.uploadId,
            }),
          );
          aborted.push(`s3://${journal.bucket}/${journal.key}`);
          context.log(
            `aborted unfinished multipart upload of s3://${journal.bucket}/${journal.key}`,
          );
        }
      } catch (error) {
        context.log(
          `could not abort the multipart upload recorded in ${name}: ${
            (error as Error).message
          }`,
        );
      }
    }
    await stopNbdSourcesUnder(`${context.scratch.vmDir(params.vm)}/`);
    await new VmManifest(context.scratch, params.vm).removeVm();
    context.log(`removed ${dir} (${names.length} file(s))`);
    return { removed: names.length, dir, abortedUploads: aborted };
  },
});
