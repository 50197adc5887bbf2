import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  faultFromLocalized,
  NfcLeaseError,
  NotAuthenticatedError,
  VcenterAbortedError,
  VcenterError,
  VcenterTimeoutError,
} from './faults';
import type { PropertyCollector } from './PropertyCollector';
import { sleep } from './TaskWaiter';
import {
  morefXml,
  xml,
  type MoRef,
  type RawXml,
  type XmlNode,
  type XmlValue,
} from './VimXml';
import { at, bool, int, list, moref, text } from './VimValue';

/** One file of an export lease (`HttpNfcLeaseDeviceUrl`). */
export interface NfcDeviceUrl {
  /** Device key, e.g. `/vm-4681/ParaVirtualSCSIController0:0`. */
  key: string;
  importKey?: string;
  /** Download URL, with the `*` host already replaced by the vCenter host. */
  url: string;
  /** SHA-1 thumbprint of the ESXi host serving the URL (`AA:BB:...`), to pin its certificate. */
  sslThumbprint?: string;
  /** True for virtual disks (streamOptimized VMDK); false for nvram and other files. */
  disk: boolean;
  targetId?: string;
  datastoreKey?: string;
  /** Only set for non-disk files; disk progress must be measured against capacity instead. */
  fileSize?: number;
}

export interface NfcManifestEntry {
  key: string;
  sha1?: string;
  size?: number;
  disk?: boolean;
  capacity?: number;
  populatedSize?: number;
}

export interface NfcLeaseOpenOptions {
  /** How long to wait for the lease to become ready (vCenter prepares the export first). */
  readyTimeoutMs?: number;
  /** Keep-alive period; by default a quarter of the lease timeout, between 0.2 s and 30 s. */
  keepAliveMs?: number;
  signal?: AbortSignal;
}

export interface LeaseDeps {
  /** One SOAP call with a live session: logs in again when vCenter says the session is gone. */
  call: (method: string, body: RawXml) => Promise<XmlNode>;
  pc: PropertyCollector;
  /** Host (and port) of the vCenter, substituted for `*` in device URLs. */
  vcenterHost: string;
  logger?: LoggerService;
}

/**
 * An HttpNfcLease from ExportVm / ExportSnapshot. While it is held, vCenter blocks power operations,
 * migrations and deletion of the VM, and it expires unless HttpNfcLeaseProgress is called within its
 * `leaseTimeout`: the lease sends that keep-alive by itself from `open` until `complete` or `abort`,
 * one call at a time (the next is scheduled when the previous one has answered), logging in again when
 * the session expired meanwhile. Always end it (see `VcenterClient.withExportLease`).
 */
export class NfcLease {
  private percent = 0;
  private timer?: NodeJS.Timeout;
  private finished = false;
  private keepAliveError?: VcenterError;
  private keepAlives = 0;

  private constructor(
    private readonly deps: LeaseDeps,
    readonly ref: MoRef,
    readonly deviceUrls: NfcDeviceUrl[],
    readonly leaseTimeoutSec: number | undefined,
    readonly totalDiskCapacityBytes: number | undefined,
    readonly entity: MoRef | undefined,
  ) {}

  /** Waits for the lease to be `ready`, reads its info and starts the keep-alive. */
  static async open(
    deps: LeaseDeps,
    ref: MoRef,
    opts: NfcLeaseOpenOptions = {},
  ): Promise<NfcLease> {
    try {
      return await NfcLease.waitReady(deps, ref, opts);
    } catch (err) {
      // Nobody else holds this lease yet: end it, or it blocks the VM until vCenter times it out.
      // (A lost session is retried by the caller with the same lease, so it is left open for that.)
      if (!(err instanceof NotAuthenticatedError))
        await abortQuietly(deps.call, ref);
      throw err;
    }
  }

  private static async waitReady(
    deps: LeaseDeps,
    ref: MoRef,
    opts: NfcLeaseOpenOptions,
  ): Promise<NfcLease> {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10 * 60_000);
    let interval = 100;
    for (;;) {
      const o = await deps.pc.retrieveOne(
        ref,
        ['state', 'error', 'initializeProgress'],
        {
          signal: opts.signal,
        },
      );
      const state = text(o?.props.state);
      if (state === 'ready') break;
      if (state === 'error') {
        throw leaseError(
          faultFromLocalized(o?.props.error, { method: 'HttpNfcLease' }),
          ref,
        );
      }
      if (state === 'done') {
        throw new NfcLeaseError({
          code: 'VCENTER_LEASE_DONE',
          message: `Export lease ${ref.value} ended before it was ready`,
          remediation:
            'Another client completed or aborted the lease; start a new export.',
        });
      }
      if (Date.now() > deadline) {
        throw new VcenterTimeoutError({
          code: 'VCENTER_LEASE_TIMEOUT',
          message: `Export lease ${ref.value} was not ready in time (state ${
            state ?? 'unknown'
          }, ${text(o?.props.initializeProgress) ?? '?'}%)`,
          remediation:
            'vCenter is slow to prepare the export; check the host and retry later.',
        });
      }
      try {
        await sleep(interval, opts.signal);
      } catch {
        throw new VcenterAbortedError({
          code: 'VCENTER_ABORTED',
          message: `Export lease ${ref.value} aborted while waiting for it`,
          remediation: 'The operation was canceled by its caller.',
          cause: opts.signal?.reason,
        });
      }
      interval = Math.min(interval * 2, 2_000);
    }

    const info = (
      await deps.pc.retrieveOne(ref, ['info'], { signal: opts.signal })
    )?.props.info;
    const leaseTimeoutSec = int(at(info, 'leaseTimeout'));
    const totalKb = int(at(info, 'totalDiskCapacityInKB'));
    const lease = new NfcLease(
      deps,
      ref,
      list(at(info, 'deviceUrl')).map(d => parseDeviceUrl(d, deps.vcenterHost)),
      leaseTimeoutSec,
      totalKb !== undefined && totalKb > 0 ? totalKb * 1024 : undefined,
      moref(at(info, 'entity')),
    );
    lease.startKeepAlive(opts.keepAliveMs);
    return lease;
  }

  /** Keep-alive calls sent so far. */
  get keepAliveCount(): number {
    return this.keepAlives;
  }

  /** Records the transfer progress (0-100) reported by the next keep-alive. */
  setProgress(percent: number): void {
    this.percent = Math.max(0, Math.min(100, Math.round(percent)));
  }

  /** Reports progress now (and renews the lease). */
  async progress(percent: number): Promise<void> {
    this.setProgress(percent);
    this.throwIfBroken();
    await this.deps.call(
      'HttpNfcLeaseProgress',
      xml`${morefXml('_this', this.ref)}<percent>${this.percent}</percent>`,
    );
  }

  async manifest(): Promise<NfcManifestEntry[]> {
    const res = await this.deps.call(
      'HttpNfcLeaseGetManifest',
      xml`${morefXml('_this', this.ref)}`,
    );
    return list(res.returnval).map(e => ({
      key: text(at(e, 'key')) ?? '',
      sha1: text(at(e, 'sha1')),
      size: int(at(e, 'size')),
      disk: bool(at(e, 'disk')),
      capacity: int(at(e, 'capacity')),
      populatedSize: int(at(e, 'populatedSize')),
    }));
  }

  /**
   * Ends the lease successfully (after every file was downloaded). If vCenter refuses to complete it,
   * the lease is aborted before the error is thrown: a lease left open blocks the VM until it expires.
   */
  async complete(): Promise<void> {
    if (this.finished) return;
    this.stopKeepAlive();
    this.finished = true;
    try {
      await this.deps.call(
        'HttpNfcLeaseComplete',
        xml`${morefXml('_this', this.ref)}`,
      );
    } catch (err) {
      await abortQuietly(this.deps.call, this.ref);
      throw err;
    }
  }

  /** Ends the lease without success; safe to call more than once and after errors. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.stopKeepAlive();
    this.finished = true;
    await abortQuietly(this.deps.call, this.ref);
  }

  /** The error of a failed keep-alive, if any: the lease may have expired. */
  get error(): VcenterError | undefined {
    return this.keepAliveError;
  }

  private throwIfBroken(): void {
    if (this.keepAliveError) throw this.keepAliveError;
    if (this.finished) {
      throw new NfcLeaseError({
        code: 'VCENTER_LEASE_DONE',
        message: `Export lease ${this.ref.value} is already completed or aborted`,
        remediation: 'Open a new export lease.',
      });
    }
  }

  private startKeepAlive(periodMs?: number): void {
    const timeoutMs = (this.leaseTimeoutSec ?? 300) * 1000;
    const every =
      periodMs ?? Math.min(30_000, Math.max(200, Math.floor(timeoutMs / 4)));
    this.scheduleKeepAlive(every);
  }

  private scheduleKeepAlive(every: number): void {
    this.timer = setTimeout(() => void this.keepAlive(every), every);
    // The keep-alive must not keep a finished process alive.
    this.timer.unref?.();
  }

  /** One keep-alive; the next one is scheduled only once this one has answered, so they never overlap. */
  private async keepAlive(every: number): Promise<void> {
    this.timer = undefined;
    if (this.finished) return;
    this.keepAlives++;
    try {
      await this.deps.call(
        'HttpNfcLeaseProgress',
        xml`${morefXml('_this', this.ref)}<percent>${this.percent}</percent>`,
      );
    } catch (err) {
      if (!this.finished) {
        this.keepAliveError = leaseError(err, this.ref);
        this.deps.logger?.warn(
          `Export lease ${this.ref.value} keep-alive failed: ${String(err)}`,
        );
      }
    }
    if (!this.finished) this.scheduleKeepAlive(every);
  }

  private stopKeepAlive(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Replaces the `*` host of a device URL with the host the client connects to (port kept if given). */
export function resolveDeviceUrl(url: string, vcenterHost: string): string {
  const m = /^(https?:\/\/)\*(:\d+)?(\/.*)?$/.exec(url);
  if (!m) return url;
  const host = m[2] ? vcenterHost.replace(/:\d+$/, '') + m[2] : vcenterHost;
  return `${m[1]}${host}${m[3] ?? ''}`;
}

function parseDeviceUrl(d: XmlValue, vcenterHost: string): NfcDeviceUrl {
  const size = int(at(d, 'fileSize'));
  return {
    key: text(at(d, 'key')) ?? '',
    importKey: text(at(d, 'importKey')) || undefined,
    url: resolveDeviceUrl(text(at(d, 'url')) ?? '', vcenterHost),
    sslThumbprint: text(at(d, 'sslThumbprint')) || undefined,
    disk: bool(at(d, 'disk')) ?? false,
    targetId: text(at(d, 'targetId')) || undefined,
    datastoreKey: text(at(d, 'datastoreKey')) || undefined,
    fileSize: size !== undefined && size > 0 ? size : undefined,
  };
}

function leaseError(err: unknown, ref: MoRef): VcenterError {
  if (err instanceof NfcLeaseError) return err;
  const e = err instanceof VcenterError ? err : undefined;
  return new NfcLeaseError({
    code: 'VCENTER_LEASE_FAILED',
    message: `Export lease ${ref.value} failed`,
    remediation:
      'The lease expired or vCenter aborted the export (host disconnected, VM changed): start the export again.',
    faultType: e?.faultType,
    vcenterMessage: e?.vcenterMessage,
    cause: err,
  });
}

/** HttpNfcLeaseAbort, ignoring failures: for cleanup paths that already have an error to report. */
export async function abortQuietly(
  call: LeaseDeps['call'],
  ref: MoRef,
): Promise<void> {
  try {
    await call('HttpNfcLeaseAbort', xml`${morefXml('_this', ref)}`);
  } catch {
    // Aborting an expired or finished lease fails harmlessly.
  }
}
