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
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ChildProcess, spawn } from 'child_process';
import execa from 'execa';
import { createReadStream, createWriteStream } from 'fs';
import { mkdtemp, readdir, rm, stat } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { request } from 'undici';
import { assertSameDisk } from '../packages/conversion-runner/src/convert/QemuImg';
import type { DataExtent } from '../packages/conversion-runner/src/upload/Qcow2StreamLayout';
import { dataExtents } from '../packages/conversion-runner/src/upload/StreamedQcow2Upload';
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
    /** upload of an nbd-path disk, then its object fetched back and proven equal to the adapted overlay. */
    const uploadAndCheck = async (uvm: string) => {
      const job = await client.run(
        'upload',
        {
          vm: uvm,
          disk: 'disk-0',
          bucket: 'bench',
          key: `${uvm}/disk-0.qcow2`,
          region: s3.region,
        },
        HOUR,
      );
      const object = join(work, `${uvm}-object.qcow2`);
      const got = await s3Client.send(
        new GetObjectCommand({ Bucket: 'bench', Key: `${uvm}/disk-0.qcow2` }),
      );
      await pipeline(got.Body as Readable, createWriteStream(object));
      await assertSameDisk(
        {
          file: join(work, 'scratch', 'vms', uvm, 'disk-0.qcow2'),
          format: 'qcow2',
        },
        { file: object, format: 'qcow2' },
      );
      await rm(object);
      return job;
    };

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

    // The new path (issue 15): the same disk served on demand (access nbd), adapted in an overlay,
    // trimmed there and streamed as a qcow2 of the in-use blocks only.
    const scratchDir = join(work, 'scratch');
    const nvm = 'vm-bench-nbd';
    await warm(disk.path);
    const peak = scratchPeak(scratchDir);
    const nExported = await client.run(
      'export',
      {
        vm: nvm,
        disk: 'disk-0',
        source: {
          kind: 'datastore',
          access: 'nbd',
          url: datastore.url,
          auth: { cookie },
        },
      },
      HOUR,
    );
    const nTrimmed = await client.run(
      'trim',
      { vm: nvm, disk: 'disk-0' },
      HOUR,
    );
    const nConverted = await client.run(
      'convert',
      { vm: nvm, disk: 'disk-0' },
      HOUR,
    );
    const nUploaded = await uploadAndCheck(nvm);
    const scratchPeakBytes = await peak.stop();
    const nu = nUploaded.result as {
      size: number;
      dataBytes: number;
      partCount: number;
      trimSeconds: number;
      sourceBytesFetchedByTrim: number;
      sourceBytesFetchedByUpload: number;
    };
    const overlay = join(scratchDir, 'vms', nvm, 'disk-0.qcow2');
    const inUseExtents = (await dataExtents(overlay, 'qcow2')).extents;
    log(
      `nbd path: uploaded object passes qemu-img check and compares equal to the adapted overlay`,
    );
    const sourceRead =
      nu.sourceBytesFetchedByTrim + nu.sourceBytesFetchedByUpload;
    const stages = [
      ['export', nExported, 0, 0],
      ['trim', nTrimmed, 0, 0],
      ['convert', nConverted, 0, 0],
      ['upload', nUploaded, sourceRead, nu.size],
    ] as const;
    for (const [name, job, read, sent] of stages)
      log(
        `nbd ${name.padEnd(7)} ${secondsOf(job).toFixed(
          1,
        )} s  read from source ${gib(read)} GiB, uploaded ${gib(sent)} GiB${
          name === 'upload'
            ? ` (appliance: trim in the overlay ${nu.trimSeconds.toFixed(
                1,
              )} s, source read by it ${gib(nu.sourceBytesFetchedByTrim)} GiB)`
            : ''
        }`,
      );
    log(
      `nbd scratch: peak ${gib(
        scratchPeakBytes,
      )} GiB written to scratch (overlay and journal only)`,
    );
    // The servers' own floors for these bytes: the in-use extents read with plain Range GETs, and the
    // same number of bytes as plain parallel PUTs.
    const extentReadSeconds = await plainRangeReads(
      datastore.url,
      cookie,
      inUseExtents,
      4,
    );
    const nbdPutSeconds = await plainPut(
      s3Client,
      'bench',
      qcow2,
      config.s3.queueSize,
      nu.size,
    );
    log(
      `nbd floors: source ${extentReadSeconds.toFixed(
        1,
      )} s (Range GETs of the ${gib(
        inUseExtents.reduce((sum, e) => sum + e.length, 0),
      )} GiB in use), s3 ${nbdPutSeconds.toFixed(1)} s (${gib(
        nu.size,
      )} GiB as plain parallel PUTs)`,
    );
    const nbdWall =
      secondsOf(nExported) +
      secondsOf(nTrimmed) +
      secondsOf(nConverted) +
      secondsOf(nUploaded) -
      nu.trimSeconds;
    const nbdBound = Math.max(extentReadSeconds, nbdPutSeconds);
    await client.run('cleanup', { vm: nvm }, HOUR);

    let adaptSeconds = NaN;
    let uefiSeconds = NaN;
    let adaptOverlaySeconds = NaN;
    let uefiOverlaySeconds = NaN;
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

      // The same guest on the nbd path: its flat extent served on demand, adapted and made UEFI in
      // the overlay (the GPT and ESP need the disk grown: in the overlay too), trimmed and streamed.
      const flat = join(work, 'guest-flat.vmdk');
      await execa('qemu-img', [
        'convert',
        '-f',
        'vmdk',
        '-O',
        'raw',
        guest.vmdk,
        flat,
      ]);
      const flatStore = await DatastoreHttpServer.start({
        files: { 'g/g-flat.vmdk': flat },
        cookie,
      });
      cleanups.push(() => flatStore.stop());
      const ovm = 'vm-bench-guest-nbd';
      const source = {
        kind: 'datastore',
        access: 'nbd',
        url: flatStore.folderUrl('g/g-flat.vmdk'),
        auth: { cookie },
      };
      await client.run('export', { vm: ovm, disk: 'disk-0', source }, HOUR);
      await client.run('convert', { vm: ovm, disk: 'disk-0' }, HOUR);
      adaptOverlaySeconds = secondsOf(
        await client.run('adapt_linux', { vm: ovm, disks: ['disk-0'] }, HOUR),
      );
      const overlayUefi = await client.run(
        'ensure_uefi',
        { vm: ovm, disk: 'disk-0' },
        HOUR,
      );
      uefiOverlaySeconds = secondsOf(overlayUefi);
      const ou = await uploadAndCheck(ovm);
      log(
        `proof guest on the nbd path: adapt_linux ${adaptOverlaySeconds.toFixed(
          1,
        )} s, ensure_uefi ${uefiOverlaySeconds.toFixed(1)} s (${JSON.stringify(
          overlayUefi.result,
        )}), upload ${secondsOf(ou).toFixed(1)} s ${JSON.stringify(
          ou.result,
        )}; object checked and equal to the adapted overlay`,
      );
      await client.run('cleanup', { vm: ovm }, HOUR);
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
      `DOWNLOAD_PATH ${Object.entries(result)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const nbdResult = {
      disk_gib: gib(disk.diskBytes),
      used_gib: gib(disk.usedBytes),
      source_read_ratio: (sourceRead / disk.usedBytes).toFixed(3),
      scratch_peak_ratio: (scratchPeakBytes / disk.diskBytes).toFixed(4),
      upload_ratio: (nu.size / disk.usedBytes).toFixed(3),
      wall_s: nbdWall.toFixed(1),
      baseline_convert_s: baselineSeconds.toFixed(1),
      wall_ratio: (nbdWall / baselineSeconds).toFixed(2),
      bound_s: nbdBound.toFixed(1),
      bound_ratio: (nbdWall / nbdBound).toFixed(2),
      appliance_s: nu.trimSeconds.toFixed(1),
      download_path_wall_ratio: result.wall_ratio,
      adapt_overlay_s: adaptOverlaySeconds.toFixed(1),
      uefi_overlay_s: uefiOverlaySeconds.toFixed(1),
    };
    log(
      `RESULT ${Object.entries(nbdResult)
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
  bytes?: number,
): Promise<number> {
  const size = Math.min((await stat(file)).size, bytes ?? Infinity);
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

/** Seconds to read the given extents of the source with plain Range GETs, `streams` at a time. */
async function plainRangeReads(
  url: string,
  cookie: string,
  extents: DataExtent[],
  streams: number,
): Promise<number> {
  const queue = extents.flatMap(e => {
    const pieces: DataExtent[] = [];
    for (let at = e.start; at < e.start + e.length; at += 4 * 1024 ** 2)
      pieces.push({
        start: at,
        length: Math.min(4 * 1024 ** 2, e.start + e.length - at),
      });
    return pieces;
  });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for (;;) {
        const piece = queue.shift();
        if (!piece) return;
        const response = await request(url, {
          headers: {
            cookie,
            range: `bytes=${piece.start}-${piece.start + piece.length - 1}`,
          },
        });
        await response.body.dump({ limit: Infinity });
      }
    }),
  );
  return (Date.now() - started) / 1000;
}

/** Samples the bytes allocated under `dir` every 200 ms; stop() returns the peak. */
function scratchPeak(dir: string): { stop(): Promise<number> } {
  let peakBytes = 0;
  let running = true;
  const allocated = async (path: string): Promise<number> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(
      () => [],
    );
    let sum = 0;
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) sum += await allocated(child);
      else if (entry.isFile())
        sum += ((await stat(child).catch(() => undefined))?.blocks ?? 0) * 512;
    }
    return sum;
  };
  const baseline = allocated(dir);
  const loop = (async () => {
    const before = await baseline;
    while (running) {
      peakBytes = Math.max(peakBytes, (await allocated(dir)) - before);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peakBytes;
    },
  };
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
