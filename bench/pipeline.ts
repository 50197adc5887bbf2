/**
 * bench:pipeline — the conversion runner's data path on a thin multi-GiB disk with known content:
 * export (datastore /folder over local HTTP) -> trim -> convert -> upload (local S3: Swift s3api),
 * driven through the runner's HTTP API, against one plain `qemu-img convert` of the same disk in
 * the same run. Guest adaptation and BIOS->UEFI are timed on the proof's VMware-style guest: they
 * cost a libguestfs appliance per VM, not time per byte.
 *
 * Fair to both sides: the source disk is read once before the baseline and before the export (warm
 * page cache for both) after a `sync` (neither pays for the other's writeback); the datastore server
 * runs in its own process, as an ESXi host would. It also measures what the bench's own servers
 * allow (one plain GET of the disk with curl; the qcow2 PUT to the S3 server by a client that does
 * nothing else) and prints that bound next to the stages, before the RESULT line.
 *
 * Run: yarn bench:pipeline   (as root; env BENCH_DISK_GIB, BENCH_USED_GIB, BENCH_DELETED_GIB,
 * BENCH_SKIP_GUEST=1 to skip adapt/uefi, VMWARE2SCW_CACHE_DIR for the cached disks)
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ChildProcess, spawn } from 'child_process';
import execa from 'execa';
import { createReadStream } from 'fs';
import { mkdtemp, rm, stat } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  libguestfsEnv,
  probeAccel,
} from '../packages/conversion-runner/src/accel/AccelProbe';
import { resolveRunnerConfig } from '../packages/conversion-runner/src/config/RunnerConfig';
import { startConversionRunner } from '../packages/conversion-runner/src/ConversionRunner';
import type { RunnerJob as JobRecord } from '../plugins/vmware2scw-common/src/runner';
import { DatastoreHttpServer } from '../packages/conversion-runner/src/testing/DatastoreHttpServer';
import { RunnerClient } from '../packages/conversion-runner/src/testing/RunnerClient';
import { SwiftS3Server } from '../plugins/vmware2scw-node/src/s3/testing/SwiftS3Server';
import {
  guestCacheRoot,
  vmwareDebianGuest,
} from '../packages/conversion-runner/src/testing/VmwareDebianGuest';
import { createS3Client } from '../packages/conversion-runner/src/upload/S3DiskUpload';
import { thinBenchDisk } from './pipelineThinDisk';

const GiB = 1024 ** 3;
const log = (line: string) => process.stdout.write(`${line}\n`);
const gib = (bytes: number) => (bytes / GiB).toFixed(3);
const secondsOf = (job: JobRecord) =>
  (Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)) / 1000;

async function main() {
  const diskGiB = Number(process.env.BENCH_DISK_GIB ?? 4);
  const usedGiB = Number(process.env.BENCH_USED_GIB ?? 1.5);
  const deletedGiB = Number(process.env.BENCH_DELETED_GIB ?? 1);
  const work = await mkdtemp(
    join(process.env.BENCH_WORK_DIR ?? tmpdir(), 'vmware2scw-bench-'),
  );
  const cleanups: Array<() => Promise<unknown>> = [
    async () => rm(work, { recursive: true, force: true }),
  ];
  try {
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    log(`accelerator: ${accel.mode} (${accel.reason})`);
    const disk = await thinBenchDisk({
      cacheRoot: guestCacheRoot(),
      diskGiB,
      usedGiB,
      deletedGiB,
      log,
    });
    const sourceAllocated = (await stat(disk.path)).blocks * 512;
    log(
      `source disk: ${gib(disk.diskBytes)} GiB thin, ${gib(
        disk.usedBytes,
      )} GiB in use in the filesystem (${gib(
        disk.fileBytes,
      )} GiB of files), ${gib(disk.deletedBytes)} GiB of deleted files, ${gib(
        sourceAllocated,
      )} GiB allocated`,
    );

    // Baseline: one plain qemu-img convert of the same disk on the same machine in the same run.
    await warm(disk.path);
    const baselineOut = join(work, 'baseline.qcow2');
    let started = Date.now();
    await execa('qemu-img', [
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      disk.path,
      baselineOut,
    ]);
    const baselineSeconds = (Date.now() - started) / 1000;
    const baselineBytes = (await stat(baselineOut)).size;
    await rm(baselineOut);
    log(
      `baseline qemu-img convert: ${baselineSeconds.toFixed(1)} s, wrote ${gib(
        baselineBytes,
      )} GiB (warm source, output left in the page cache as qemu-img does by default)`,
    );

    const cookie = 'vmware_soap_session="bench"';
    const datastore = await startDatastoreProcess(disk.path, cookie);
    cleanups.push(() => datastore.stop());
    // What the HTTP source itself delivers: one plain GET of the whole disk, thrown away by curl.
    await warm(disk.path);
    started = Date.now();
    await execa('curl', [
      '--silent',
      '--fail',
      '--output',
      '/dev/null',
      '--cookie',
      cookie,
      datastore.url,
    ]);
    const sourceReadSeconds = (Date.now() - started) / 1000;
    log(
      `source:  ${sourceReadSeconds.toFixed(1)} s  one plain GET of ${gib(
        disk.diskBytes,
      )} GiB from the datastore server (curl to /dev/null): the export's floor here`,
    );

    const s3 = await SwiftS3Server.start();
    cleanups.push(() => s3.stop());
    const s3Client = createS3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    await s3Client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const token = 'bench-token-0123456789abcdef';
    const config = resolveRunnerConfig(
      {
        listen: { port: 0 },
        scratch: { dir: join(work, 'scratch'), reserveBytes: 0 },
        allowedHosts: ['127.0.0.1'],
        s3: {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyIdEnv: 'BENCH_S3_KEY',
          secretAccessKeyEnv: 'BENCH_S3_SECRET',
        },
      },
      {
        VMWARE2SCW_RUNNER_TOKEN: token,
        BENCH_S3_KEY: s3.credentials.accessKeyId,
        BENCH_S3_SECRET: s3.credentials.secretAccessKey,
      },
    );
    const runner = await startConversionRunner(config, { accel });
    cleanups.push(() => runner.close());
    const client = new RunnerClient(runner.url, token);
    const HOUR = 3600_000;

    const vm = 'vm-bench';
    await warm(disk.path);
    const exported = await client.run(
      'export',
      {
        vm,
        disk: 'disk-0',
        source: { kind: 'datastore', url: datastore.url, auth: { cookie } },
      },
      HOUR,
    );
    const ex = exported.result as { bytes: number; bytesWritten: number };
    log(
      `export:  ${secondsOf(exported).toFixed(1)} s  read ${gib(
        ex.bytes,
      )} GiB over HTTP, wrote ${gib(
        ex.bytesWritten,
      )} GiB (zero blocks left as holes)`,
    );

    const trimmed = await client.run('trim', { vm, disk: 'disk-0' }, HOUR);
    const tr = trimmed.result as {
      allocatedBefore: number;
      allocatedAfter: number;
    };
    log(
      `trim:    ${secondsOf(trimmed).toFixed(1)} s  allocated ${gib(
        tr.allocatedBefore,
      )} -> ${gib(tr.allocatedAfter)} GiB (libguestfs launch + fstrim)`,
    );

    const converted = await client.run('convert', { vm, disk: 'disk-0' }, HOUR);
    const cv = converted.result as { actualSize: number };
    log(
      `convert: ${secondsOf(converted).toFixed(1)} s  read ${gib(
        tr.allocatedAfter,
      )} GiB allocated, wrote ${gib(cv.actualSize)} GiB qcow2`,
    );

    const uploaded = await client.run(
      'upload',
      {
        vm,
        disk: 'disk-0',
        bucket: 'bench',
        key: `${vm}/disk-0.qcow2`,
        region: s3.region,
      },
      HOUR,
    );
    const up = uploaded.result as {
      size: number;
      partCount: number;
      partSize: number;
    };
    log(
      `upload:  ${secondsOf(uploaded).toFixed(1)} s  uploaded ${gib(
        up.size,
      )} GiB in ${up.partCount} part(s) of ${(up.partSize / 1024 ** 2).toFixed(
        0,
      )} MiB`,
    );
    // What the S3 server itself ingests: the same qcow2 PUT as parallel plain objects by a client that
    // computes nothing (unsigned payload, no checksum, no journal).
    const qcow2 = (converted.result as { file: string }).file;
    const s3PutSeconds = await plainPut(
      s3Client,
      'bench',
      qcow2,
      config.s3.queueSize,
    );
    log(
      `s3 put:  ${s3PutSeconds.toFixed(1)} s  the same ${gib(up.size)} GiB as ${
        config.s3.queueSize
      } plain parallel PUTs: the upload's floor here`,
    );

    let adaptSeconds = NaN;
    let uefiSeconds = NaN;
    if (process.env.BENCH_SKIP_GUEST !== '1') {
      const guest = await vmwareDebianGuest({
        libguestfsEnv: libguestfsEnv(accel.mode),
        log,
      });
      const guestStore = await DatastoreHttpServer.start({
        files: { 'g/g.vmdk': guest.vmdk },
        cookie,
      });
      cleanups.push(() => guestStore.stop());
      const gvm = 'vm-bench-guest';
      await client.run(
        'export',
        {
          vm: gvm,
          disk: 'disk-0',
          source: {
            kind: 'datastore',
            format: 'vmdk',
            url: guestStore.folderUrl('g/g.vmdk'),
            auth: { cookie },
          },
        },
        HOUR,
      );
      await client.run('convert', { vm: gvm, disk: 'disk-0' }, HOUR);
      const adapted = await client.run(
        'adapt_linux',
        { vm: gvm, disks: ['disk-0'] },
        HOUR,
      );
      adaptSeconds = secondsOf(adapted);
      log(
        `adapt_linux (proof guest): ${adaptSeconds.toFixed(
          1,
        )} s  steps ${JSON.stringify(
          (adapted.result as { stepSeconds: unknown }).stepSeconds,
        )}`,
      );
      const uefi = await client.run(
        'ensure_uefi',
        { vm: gvm, disk: 'disk-0' },
        HOUR,
      );
      uefiSeconds = secondsOf(uefi);
      log(`ensure_uefi (proof guest): ${uefiSeconds.toFixed(1)} s`);
    }

    const wall =
      secondsOf(exported) + secondsOf(converted) + secondsOf(uploaded);
    // The best wall this machine's servers allow: source GET + the convert itself + plain S3 PUT.
    const bound = sourceReadSeconds + secondsOf(converted) + s3PutSeconds;
    log(
      `where the time goes: export ${secondsOf(exported).toFixed(
        1,
      )} s (source alone ${sourceReadSeconds.toFixed(
        1,
      )} s), convert ${secondsOf(converted).toFixed(1)} s, upload ${secondsOf(
        uploaded,
      ).toFixed(1)} s (S3 server alone ${s3PutSeconds.toFixed(1)} s)`,
    );
    log(
      `BOUND bound_s=${bound.toFixed(1)} bound_ratio=${(
        bound / baselineSeconds
      ).toFixed(2)} source_read_s=${sourceReadSeconds.toFixed(
        1,
      )} s3_put_s=${s3PutSeconds.toFixed(
        1,
      )} (wall_ratio cannot go below bound_ratio with these servers on this machine)`,
    );
    const result = {
      disk_gib: gib(disk.diskBytes),
      used_gib: gib(disk.usedBytes),
      uploaded_gib: gib(up.size),
      upload_ratio: (up.size / disk.usedBytes).toFixed(3),
      wall_s: wall.toFixed(1),
      baseline_convert_s: baselineSeconds.toFixed(1),
      wall_ratio: (wall / baselineSeconds).toFixed(2),
      trim_s: secondsOf(trimmed).toFixed(1),
      adapt_s: adaptSeconds.toFixed(1),
      uefi_s: uefiSeconds.toFixed(1),
    };
    log(
      `RESULT ${Object.entries(result)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch(() => undefined);
  }
}

/** Reads a file once (holes cost nothing) so that the next reader finds it in the page cache. */
async function warm(path: string): Promise<void> {
  await execa('sync');
  await execa('dd', [`if=${path}`, 'of=/dev/null', 'bs=16M', 'status=none']);
}

/** The datastore server in its own process (as an ESXi host is another machine), serving one file. */
async function startDatastoreProcess(
  file: string,
  cookie: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, __filename, 'serve-datastore', file, cookie],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/^URL (\S+)$/m);
      if (match) resolve(match[1]);
    });
    child.on('exit', code =>
      reject(new Error(`datastore server exited ${code}`)),
    );
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.stdin!.end(); // the server exits when its stdin closes
      await exited;
    },
  };
}

async function serveDatastore(file: string, cookie: string): Promise<void> {
  const server = await DatastoreHttpServer.start({
    files: { 'bench/bench-flat.vmdk': file },
    cookie,
  });
  process.stdout.write(`URL ${server.folderUrl('bench/bench-flat.vmdk')}\n`);
  process.stdin.resume();
  await new Promise(resolve => process.stdin.once('end', resolve));
  await server.stop();
}

/** Seconds to PUT `file` as `streams` plain objects in parallel (the S3 server's own ingest rate). */
async function plainPut(
  client: ReturnType<typeof createS3Client>,
  bucket: string,
  file: string,
  streams: number,
): Promise<number> {
  const { size } = await stat(file);
  const slice = Math.ceil(size / streams);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: streams }, (_, i) => {
      const start = i * slice;
      const end = Math.min(size, start + slice);
      return client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `floor/slice-${i}`,
          Body: createReadStream(file, {
            start,
            end: end - 1,
            highWaterMark: 1024 * 1024,
          }),
          ContentLength: end - start,
        }),
      );
    }),
  );
  return (Date.now() - started) / 1000;
}

if (process.argv[2] === 'serve-datastore') {
  serveDatastore(process.argv[3], process.argv[4]).catch(error => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
} else {
  main().catch(error => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
