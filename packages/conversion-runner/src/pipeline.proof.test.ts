import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'crypto';
import execa from 'execa';
import { createReadStream, createWriteStream } from 'fs';
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { libguestfsEnv, probeAccel } from './accel/AccelProbe';
import { resolveRunnerConfig } from './config/RunnerConfig';
import { startConversionRunner, StartedRunner } from './ConversionRunner';
import { GuestfishSession } from './guest/GuestfishSession';
import { createS3Client } from './upload/S3DiskUpload';
import { DatastoreHttpServer } from './testing/DatastoreHttpServer';
import { RunnerClient } from './testing/RunnerClient';
import { ScalewayLikeBoot } from './testing/ScalewayLikeBoot';
import { SwiftS3Server } from '@internal/plugin-vmware2scw-node/testUtils';
import { vmwareDebianGuest } from './testing/VmwareDebianGuest';

/**
 * The proof of issue 5: a Debian guest as it exists on VMware (BIOS/MBR, open-vm-tools, ens192,
 * fstab by device name, no virtio in its initramfs) goes through export -> convert -> adapt_linux ->
 * ensure_uefi -> upload on a real runner, comes back from a real S3 server, and boots like a
 * Scaleway Instance (OVMF, virtio-scsi, virtio-net, DHCP) to a login prompt with a DHCP lease.
 */
const MINUTE = 60_000;
jest.setTimeout(75 * MINUTE);

const log = (line: string) => process.stdout.write(`[proof] ${line}\n`);
const timings: Record<string, number> = {};
async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
    log(`${name}: ${timings[name]} s`);
  }
}

describe('conversion runner proof: a VMware Debian guest boots as a Scaleway-like UEFI/virtio instance', () => {
  const token = 'proof-token-0123456789abcdef';
  const cookie = 'vmware_soap_session="52c1b0a0-proof"';
  let work: string;
  let datastore: DatastoreHttpServer | undefined;
  let s3: SwiftS3Server | undefined;
  let runner: StartedRunner | undefined;
  let boot: ScalewayLikeBoot | undefined;

  afterAll(async () => {
    log(`timings (s): ${JSON.stringify(timings)}`);
    await boot?.stop();
    await runner?.close();
    await s3?.stop();
    await datastore?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('exports, converts, adapts, makes UEFI, uploads, and the downloaded object boots with DHCP', async () => {
    const testStarted = Date.now();
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-proof-'));
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    log(`accelerator: ${accel.mode} (${accel.reason})`);
    const guest = await timed('guest (build or cache)', () =>
      vmwareDebianGuest({ libguestfsEnv: libguestfsEnv(accel.mode), log }),
    );
    log(
      `guest ${guest.cached ? 'from cache' : 'built'}: ${guest.vmdk} (${
        guest.meta.vmdkBytes
      } bytes)`,
    );

    // The VMDK is cut once mid-stream, so export has to resume with Range.
    datastore = await DatastoreHttpServer.start({
      files: { 'vmw-debian/vmw-debian.vmdk': guest.vmdk },
      cookie,
      dropFirstResponseAfterBytes: Math.floor(guest.meta.vmdkBytes / 3),
    });
    s3 = await timed('s3 server start', () => SwiftS3Server.start());
    await createS3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    }).send(new CreateBucketCommand({ Bucket: 'vmware2scw-transit' }));

    const config = resolveRunnerConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        scratch: { dir: join(work, 'scratch'), reserveBytes: 0 },
        allowedHosts: ['127.0.0.1'],
        s3: {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyIdEnv: 'PROOF_S3_KEY',
          secretAccessKeyEnv: 'PROOF_S3_SECRET',
        },
      },
      {
        VMWARE2SCW_RUNNER_TOKEN: token,
        PROOF_S3_KEY: s3.credentials.accessKeyId,
        PROOF_S3_SECRET: s3.credentials.secretAccessKey,
      },
    );
    runner = await startConversionRunner(config, {
      accel,
      log: line =>
        /^GET \/v1\/jobs/.test(line) ? undefined : log(`runner: ${line}`),
    });
    const client = new RunnerClient(runner.url, token);
    const health = await client.call('GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.accel.mode).toBe(accel.mode);

    const vm = 'vm-1001';
    const disk = 'disk-0';
    const exported = await timed('export', () =>
      client.run(
        'export',
        {
          vm,
          disk,
          source: {
            kind: 'datastore',
            format: 'vmdk',
            url: datastore!.folderUrl('vmw-debian/vmw-debian.vmdk'),
            auth: { cookie },
          },
        },
        10 * MINUTE,
      ),
    );
    const exportResult = exported.result as {
      bytes: number;
      sha256: string;
      resumes: number;
    };
    expect(exportResult.bytes).toBe(guest.meta.vmdkBytes);
    expect(exportResult.resumes).toBeGreaterThanOrEqual(1);
    expect(exportResult.sha256).toBe(await sha256File(guest.vmdk));
    expect(datastore.requests.some(r => r.range?.startsWith('bytes='))).toBe(
      true,
    );
    expect(JSON.stringify(exported.params)).not.toContain('52c1b0a0'); // the cookie is never returned

    await timed('convert', () =>
      client.run('convert', { vm, disk }, 10 * MINUTE),
    );
    const adapted = await timed('adapt_linux', () =>
      client.run('adapt_linux', { vm, disks: [disk] }, 40 * MINUTE),
    );
    log(`adapt report: ${JSON.stringify(adapted.result)}`);
    const adaptReport = adapted.result as {
      vmwareToolsRemoved: string[];
      initramfsModules: string[];
      qemuGuestAgent: string;
      warnings: string[];
    };
    expect(adaptReport.vmwareToolsRemoved).toContain('open-vm-tools');
    expect(adaptReport.initramfsModules).toEqual(
      expect.arrayContaining([
        'virtio_scsi',
        'virtio_blk',
        'virtio_net',
        'virtio_pci',
      ]),
    );
    // Installed when the appliance reached a package source; otherwise the report must say so.
    expect(
      adaptReport.qemuGuestAgent.startsWith('not_installed')
        ? adaptReport.warnings.join(' ')
        : 'qemu-guest-agent ok',
    ).toContain('qemu-guest-agent');
    const uefi = await timed('ensure_uefi', () =>
      client.run('ensure_uefi', { vm, disk }, 30 * MINUTE),
    );
    log(`ensure_uefi: ${JSON.stringify(uefi.result)}`);
    expect(uefi.result).toMatchObject({
      changed: true,
      partitionTable: { before: 'mbr', after: 'gpt' },
    });
    const uploaded = await timed('upload', () =>
      client.run(
        'upload',
        {
          vm,
          disk,
          bucket: 'vmware2scw-transit',
          key: `${vm}/${disk}.qcow2`,
          region: 'fr-par',
        },
        10 * MINUTE,
      ),
    );
    const upload = uploaded.result as {
      etag: string;
      size: number;
      sha256: string;
    };

    // What Scaleway would import: fetch the object back and check it is byte-identical.
    const downloaded = join(work, 'downloaded.qcow2');
    await timed('download from s3', async () => {
      const object = await createS3Client({
        endpoint: s3!.endpoint,
        region: s3!.region,
        forcePathStyle: true,
        credentials: s3!.credentials,
      }).send(
        new GetObjectCommand({
          Bucket: 'vmware2scw-transit',
          Key: `${vm}/${disk}.qcow2`,
        }),
      );
      await pipeline(object.Body as Readable, createWriteStream(downloaded));
    });
    expect(await sha256File(downloaded)).toBe(upload.sha256);

    // Inspect the converted disk: VMware tools gone, virtio in the initramfs, UUIDs, GPT + ESP + fallback loader.
    await timed('inspect converted disk', async () => {
      // an overlay, so inspecting (read-write, for lsinitramfs) leaves the downloaded object as it was
      const overlay = join(work, 'inspect.qcow2');
      await execa('qemu-img', [
        'create',
        '-f',
        'qcow2',
        '-b',
        downloaded,
        '-F',
        'qcow2',
        overlay,
      ]);
      const g = await GuestfishSession.start({
        disks: [{ path: overlay, format: 'qcow2' }],
        env: libguestfsEnv(accel.mode),
      });
      try {
        expect((await g.run('part-get-parttype', '/dev/sda')).trim()).toBe(
          'gpt',
        );
        const root = (await g.lines('inspect-os'))[0];
        await g.run('mount', root, '/');
        await g.run(
          'mount',
          (uefi.result as { esp: { device: string } }).esp.device,
          '/boot/efi',
        );
        expect(
          (await g.run('is-file', '/boot/efi/EFI/BOOT/BOOTX64.EFI')).trim(),
        ).toBe('true');
        expect((await g.run('is-file', '/usr/bin/vmtoolsd')).trim()).toBe(
          'false',
        );
        // purged packages leave no file list in dpkg's database
        expect(
          (
            await g.run('is-file', '/var/lib/dpkg/info/open-vm-tools.list')
          ).trim(),
        ).toBe('false');
        const modules = await g.run(
          'sh',
          'lsinitramfs /boot/initrd.img-* | grep -o "virtio[a-z_]*\\.ko" | sort -u',
        );
        for (const module of [
          'virtio_scsi.ko',
          'virtio_blk.ko',
          'virtio_net.ko',
          'virtio_pci.ko',
        ])
          expect(modules).toContain(module);
        expect(await g.run('cat', '/etc/fstab')).toMatch(
          /^UUID=6a3f1c52-0d4e-4a55-9a7c-2f0e5b8d1c11\s+\/\s+ext4/m,
        );
        expect(await g.run('cat', '/boot/grub/grub.cfg')).toMatch(
          /root=UUID=6a3f1c52-0d4e-4a55-9a7c-2f0e5b8d1c11.*console=ttyS0,115200/,
        );
        expect((await g.run('cat', '/etc/machine-id')).trim()).toBe('');
        // the adaptation leaves no file of its own in the guest
        for (const leftover of [
          '/var/tmp/vmware2scw-adapt.report',
          '/var/tmp/vmware2scw-packages',
          '/var/tmp/vmware2scw-apt',
        ])
          expect([leftover, (await g.run('exists', leftover)).trim()]).toEqual([
            leftover,
            'false',
          ]);
      } finally {
        await g.close();
      }
    });

    // Boot it as Scaleway would: UEFI, virtio-scsi, virtio-net, DHCP.
    await timed('boot to login prompt', async () => {
      boot = await ScalewayLikeBoot.start({
        disk: downloaded,
        accel: accel.mode,
      });
      await boot.waitFor(/vmw-debian login:/, 15 * MINUTE);
    });
    await timed('login and DHCP lease', async () => {
      const b = boot!;
      b.type('root\n');
      await b.waitFor(/Password:/, 2 * MINUTE);
      b.type('vmware\n');
      await b.waitFor(/root@vmw-debian:~#/, 3 * MINUTE);
      let lease: RegExpMatchArray | undefined;
      for (let attempt = 0; attempt < 30 && !lease; attempt++) {
        const from = b.console.length;
        b.type('ip -4 -o addr show scope global; echo END-OF-IP\n');
        await b.waitFor(/END-OF-IP\s[\s\S]*END-OF-IP/, MINUTE, from);
        lease =
          b.console.slice(from).match(/inet (10\.0\.2\.\d+)\/24/) ?? undefined;
        if (!lease) await new Promise(resolve => setTimeout(resolve, 5000));
      }
      if (!lease) {
        b.type(
          'ls /sys/class/net; cat /etc/network/interfaces; systemctl --no-pager status networking | tail -n 15\n',
        );
        await new Promise(resolve => setTimeout(resolve, 15_000));
        log(`no lease; console tail:\n${b.console.slice(-4000)}`);
      }
      expect(lease?.[1]).toBe('10.0.2.15');
    });
    log(`console tail:\n${boot!.console.slice(-1500)}`);
    log(`proof total ${(Date.now() - testStarted) / 1000} s`);
  });
});

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, {
    highWaterMark: 4 * 1024 * 1024,
  }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
