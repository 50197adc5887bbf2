import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  RunnerProcess,
  startScalewaySimulator,
  SwiftS3Server,
  Vcsim,
  type ScalewaySimulator,
  type SimulatorDelays,
} from '@internal/plugin-vmware2scw-node/testUtils';
import { vmwareDebianGuest } from '@internal/vmware2scw-conversion-runner/testing';

const run = promisify(execFile);

/** Fixed, test-only credentials of the lab (loopback services only). */
export const LAB = {
  vcenterId: 'lab',
  vcenterUser: 'lab-admin',
  vcenterPassword: 'lab-vcenter-password',
  runnerId: 'lab-runner',
  runnerToken: 'lab-runner-token-0123456789abcdef',
  scalewayAccessKey: 'SCWLAB0000000000000X',
  scalewaySecretKey: '5e0c4b3a-0000-4000-8000-00000000d3e0',
  projectId: '66666666-7777-4888-9999-000000000000',
  zone: 'fr-par-1',
  region: 'fr-par',
  bucket: 'vmware2scw-transit',
  guestName: 'debian-guest',
} as const;

/**
 * Why the lab cannot start on this machine (a tool of scripts/system-deps.sh missing), or undefined.
 * End-to-end tests decide with it, before Jest collects them, whether to skip.
 */
export function labToolsMissing(): string | undefined {
  for (const tool of ['qemu-img', 'go', 'mmdebstrap', 'swift-proxy-server']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (run ./scripts/system-deps.sh as root)`;
    }
  }
  return undefined;
}

/** libguestfs settings for this machine: KVM aborts here, TCG works (see the runner's README). */
export const TCG_ENV = {
  LIBGUESTFS_BACKEND: 'direct',
  LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg',
};

/**
 * The proof's VMware-style Debian guest (built once and cached by the runner's test utilities) as a
 * raw flat extent, the bytes a datastore `/folder` download of a `-flat.vmdk` returns. Cached beside it.
 */
export async function labGuestImage(
  log: (line: string) => void = () => undefined,
): Promise<{ raw: string; bytes: number }> {
  const guest = await vmwareDebianGuest({
    log,
    libguestfsEnv: { ...process.env, ...TCG_ENV },
  });
  const raw = join(guest.dir, 'guest-flat.raw');
  if (!existsSync(raw)) {
    log(`lab: converting ${guest.vmdk} to a raw flat extent`);
    const tmp = `${raw}.tmp-${process.pid}`;
    await run('qemu-img', ['convert', '-O', 'raw', guest.vmdk, tmp]);
    await rename(tmp, raw);
  }
  return { raw, bytes: (await stat(raw)).size };
}

/** A lab VM whose disk is the real guest. */
export interface LabGuest {
  vm: string;
  name: string;
  bytes: number;
  diskFile: string;
}

export interface LabOptions {
  log?: (line: string) => void;
  /** Delays of vCenter SOAP methods (a crash test stops the backend in the middle of one). */
  vcenterMethodDelays?: Record<string, number>;
  scalewayDelays?: Partial<SimulatorDelays>;
  /** Skip the real guest (the export then has no disk to read): for UI tests with stand-in executors. */
  withoutGuest?: boolean;
  /** More VMs with the same guest disk (each its own VM), e.g. for a plan of two waves. */
  extraGuests?: string[];
}

/**
 * A migration lab on one machine, for the end-to-end tests, the browser tests and the demo: vcsim with
 * a VM whose disk is a real Debian guest (served by its datastore /folder), a conversion runner started
 * as its CLI (TCG), the Swift S3 server holding the transit bucket, and the Scaleway API simulator that
 * imports from it. `config()` is the `vmware2scw` configuration that points the backend at it.
 */
export class Lab {
  private constructor(
    readonly vcsim: Vcsim,
    readonly s3: SwiftS3Server,
    readonly scaleway: ScalewaySimulator,
    readonly runner: RunnerProcess,
    readonly guests: LabGuest[],
  ) {}

  /** The `debian-guest` VM. */
  get guest(): LabGuest | undefined {
    return this.guests[0];
  }

  static async start(options: LabOptions = {}): Promise<Lab> {
    const log = options.log ?? (() => undefined);
    const image = options.withoutGuest ? undefined : await labGuestImage(log);
    const started: Array<{ stop(): Promise<void> }> = [];
    try {
      const vcsim = await Vcsim.start({
        username: LAB.vcenterUser,
        password: LAB.vcenterPassword,
        vmsPerHost: 2,
        countCalls: true,
        ...(image
          ? {
              guestDisk: image.raw,
              guestNames: [LAB.guestName, ...(options.extraGuests ?? [])],
            }
          : {}),
        ...(options.vcenterMethodDelays
          ? { methodDelays: options.vcenterMethodDelays }
          : {}),
      });
      started.push(vcsim);
      log(`lab: vcsim ${vcsim.url}`);
      const s3 = await SwiftS3Server.start({ region: LAB.region });
      started.push(s3);
      await s3.createBucket(LAB.bucket);
      log(`lab: S3 (Swift) ${s3.endpoint}`);
      const scaleway = await startScalewaySimulator({
        objectStorage: s3,
        secretKey: LAB.scalewaySecretKey,
        projectId: LAB.projectId,
        delays: {
          snapshotImportMs: 1_000,
          imageCreateMs: 300,
          serverStartMs: 1_000,
          serverStopMs: 500,
          ...options.scalewayDelays,
        },
      });
      started.push({ stop: () => scaleway.close() });
      log(`lab: Scaleway simulator ${scaleway.url}`);
      const vcHost = new URL(vcsim.url).host;
      const runner = await RunnerProcess.start({
        token: LAB.runnerToken,
        allowedHosts: [vcHost],
        accel: 'tcg',
        extraConfig: [
          `s3: { endpoint: ${JSON.stringify(
            s3.endpoint,
          )}, forcePathStyle: true, accessKeyIdEnv: LAB_S3_ACCESS_KEY, secretAccessKeyEnv: LAB_S3_SECRET_KEY }`,
          'guest: { network: false }',
          'jobs: { concurrency: 2 }',
        ],
        env: {
          LAB_S3_ACCESS_KEY: s3.credentials.accessKeyId,
          LAB_S3_SECRET_KEY: s3.credentials.secretAccessKey,
          ...TCG_ENV,
        },
      });
      log(`lab: runner ${runner.url}`);
      return new Lab(
        vcsim,
        s3,
        scaleway,
        runner,
        (vcsim.info.guests ?? []).map(g => ({
          vm: g.vm,
          name: g.name,
          bytes: g.bytes,
          diskFile: g.diskFile,
        })),
      );
    } catch (err) {
      for (const s of started.reverse()) await s.stop().catch(() => undefined);
      throw err;
    }
  }

  /** The `vmware2scw:` configuration of a backend working against this lab. */
  config(overrides: { engine?: Record<string, unknown> } = {}) {
    return {
      vcenters: [
        {
          id: LAB.vcenterId,
          url: this.vcsim.url,
          username: LAB.vcenterUser,
          password: LAB.vcenterPassword,
          insecure: true,
          thumbprint: this.vcsim.info.thumbprintSha256,
        },
      ],
      scaleway: {
        accessKey: LAB.scalewayAccessKey,
        secretKey: LAB.scalewaySecretKey,
        projectId: LAB.projectId,
        defaultZone: LAB.zone,
        transitBucket: LAB.bucket,
        apiUrl: this.scaleway.url,
        s3Endpoint: this.s3.endpoint,
        s3AccessKey: this.s3.credentials.accessKeyId,
        s3SecretKey: this.s3.credentials.secretAccessKey,
      },
      conversion: {
        runners: [
          { id: LAB.runnerId, url: this.runner.url, token: LAB.runnerToken },
        ],
        compressQcow2: false,
      },
      permissions: { admins: ['group:default/platform-team'] },
      ...(overrides.engine ? { engine: overrides.engine } : {}),
    };
  }

  /** The catalog provider configuration that reads the lab's vCenter every few seconds. */
  catalogConfig() {
    return {
      providers: {
        vmware2scw: {
          schedule: { frequency: { seconds: 30 }, timeout: { minutes: 2 } },
          owner: { default: 'group:default/team-web' },
        },
      },
    };
  }

  async stop(): Promise<void> {
    await this.runner.stop().catch(() => undefined);
    await this.scaleway.close().catch(() => undefined);
    await this.s3.stop().catch(() => undefined);
    await this.vcsim.stop().catch(() => undefined);
  }
}
