import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import https from 'node:https';
import readline from 'node:readline';

/**
 * Runs the project's vcsim launcher (`plugins/vmware2scw-node/vcsim/main.go`, govmomi's simulator
 * from Debian's golang-github-vmware-govmomi-dev) for integration tests and the inventory benchmark.
 * The binary is built on first use into a cache directory (see vcsim/build.sh).
 */
export interface VcsimOptions {
  datacenters?: number;
  clustersPerDatacenter?: number;
  hostsPerCluster?: number;
  standaloneHostsPerDatacenter?: number;
  /** VMs per standalone host and per cluster root resource pool. */
  vmsPerHost?: number;
  portgroups?: number;
  datastores?: number;
  /** Datacenters placed in a folder. */
  folders?: number;
  /** When set, Login accepts only these credentials (passed through the environment). */
  username?: string;
  password?: string;
  /** Go duration (`1s`, `2m`) after which idle sessions expire. */
  idleTimeout?: string;
  /** Stage a feature-rich VM (EFI, RDM, multi-writer disk, passthrough, TPM, tag, custom attribute ...). */
  stage?: boolean;
  /** Files to plant: `[DATASTORE:]PATH=SIZE`, byte i = i % 251. */
  plant?: string[];
  /**
   * A raw disk image (absolute path) that becomes the only disk of the inventory's last VMs, renamed
   * after `guestNames`: capacity = image size, BIOS, a Linux guest id, its flat
   * extent on the datastore = the image, so that a datastore /folder export reads the guest's bytes.
   */
  guestDisk?: string;
  /** Names of the VMs that get `guestDisk` (one VM each, from the end of the inventory); default `debian-guest`. */
  guestNames?: string[];
  /** Delays of SOAP methods in milliseconds (`{ CreateSnapshot_Task: 5000 }`), to stop a client mid-call. */
  methodDelays?: Record<string, number>;
  /** Count SOAP calls by method (`calls()`): how many snapshots a test created, not only how many are left. */
  countCalls?: boolean;
  /** Startup deadline; building 2,000 VMs takes a few seconds. */
  startTimeoutMs?: number;
}

export interface VcsimInfo {
  /** `https://127.0.0.1:<port>/sdk` */
  url: string;
  thumbprintSha256: string;
  thumbprintSha1: string;
  certPem: string;
  vms: number;
  datastores: Array<{ name: string; datacenter: string; path: string }>;
  staged?: {
    richVm: string;
    richVmName: string;
    poweredOffVm: string;
    templateVm: string;
    customField: string;
    customValue: string;
    tagCategory: string;
    tagName: string;
    snapshotName: string;
    folderPath: string;
    rdmDeviceName: string;
    passthroughPci: string;
  };
  planted?: string[];
  guests?: Array<{
    vm: string;
    name: string;
    /** Datastore path of the disk descriptor, `[LocalDS_0] DC0_H0_VM0/disk1.vmdk`. */
    diskFile: string;
    /** Local path of the flat extent (a link to the image). */
    flatPath: string;
    bytes: number;
  }>;
}

const BUILD_SCRIPT = resolvePackagePath(
  '@internal/plugin-vmware2scw-node',
  'vcsim/build.sh',
);
let binary: Promise<string> | undefined;

/** Path of the launcher binary, building it if needed (once per process). */
export function vcsimBinary(): Promise<string> {
  if (!binary) {
    binary = new Promise((resolve, reject) => {
      execFile(
        'sh',
        [BUILD_SCRIPT],
        { maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          if (err) {
            reject(
              new Error(
                `Building the vcsim launcher failed (needs the Debian packages golang-go and golang-github-vmware-govmomi-dev): ${
                  stderr || err.message
                }`,
              ),
            );
            return;
          }
          resolve(stdout.trim().split('\n').pop()!);
        },
      );
    });
  }
  return binary;
}

/** Integration tests can be skipped on machines without Go with VMWARE2SCW_SKIP_VCSIM=1. */
export const vcsimDisabled = process.env.VMWARE2SCW_SKIP_VCSIM === '1';

export class Vcsim {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: VcsimInfo,
  ) {}

  static async start(opts: VcsimOptions = {}): Promise<Vcsim> {
    const bin = await vcsimBinary();
    const args = ['-l', '127.0.0.1:0', '-exit-on-stdin-eof'];
    const num = (flag: string, v: number | undefined) => {
      if (v !== undefined) args.push(`-${flag}`, String(v));
    };
    num('dc', opts.datacenters);
    num('cluster', opts.clustersPerDatacenter);
    num('host', opts.hostsPerCluster);
    num('standalone-host', opts.standaloneHostsPerDatacenter);
    num('vm', opts.vmsPerHost);
    num('pg', opts.portgroups);
    num('ds', opts.datastores);
    num('folder', opts.folders);
    if (opts.idleTimeout) args.push('-idle-timeout', opts.idleTimeout);
    if (opts.stage) args.push('-stage');
    for (const p of opts.plant ?? []) args.push('-plant', p);
    if (opts.guestDisk) args.push('-guest-disk', opts.guestDisk);
    for (const name of opts.guestNames ?? []) args.push('-guest-name', name);
    if (opts.countCalls) args.push('-count-calls');
    for (const [method, ms] of Object.entries(opts.methodDelays ?? {}))
      args.push('-method-delay', `${method}=${ms}`);

    const child = spawn(bin, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        VCSIM_USERNAME: opts.username ?? '',
        VCSIM_PASSWORD: opts.password ?? '',
      },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      // Keep the tail only: vcsim logs every unimplemented call.
      stderr = (stderr + chunk.toString()).slice(-4000);
    });

    const info = await new Promise<VcsimInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `vcsim did not start within ${
              opts.startTimeoutMs ?? 60_000
            } ms: ${stderr}`,
          ),
        );
      }, opts.startTimeoutMs ?? 60_000);
      const lines = readline.createInterface({ input: child.stdout! });
      lines.once('line', line => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as VcsimInfo);
        } catch {
          reject(
            new Error(
              `vcsim printed an unexpected first line: ${line.slice(0, 200)}`,
            ),
          );
        }
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`vcsim exited with code ${code}: ${stderr}`));
      });
    });
    child.removeAllListeners('exit');
    return new Vcsim(child, info);
  }

  get url(): string {
    return this.info.url;
  }

  /** SOAP calls so far by method name (`{ CreateSnapshot_Task: 1 }`); needs `countCalls`. */
  async calls(): Promise<Record<string, number>> {
    const url = new URL('/lab/calls', this.info.url);
    return new Promise((resolve, reject) => {
      // The simulator's own self-signed certificate, on loopback.
      https
        .get(url, { rejectUnauthorized: false }, res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', chunk => {
            body += chunk;
          });
          res.on('end', () => {
            try {
              if (res.statusCode !== 200)
                throw new Error(
                  `vcsim ${url.pathname} answered ${res.statusCode} (started without countCalls?)`,
                );
              resolve(JSON.parse(body));
            } catch (err) {
              reject(err);
            }
          });
        })
        .on('error', reject);
    });
  }

  /** Stops the simulator (it removes its datastore directories on the way out). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>(resolve =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
