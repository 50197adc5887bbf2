import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Inventory } from '@internal/plugin-vmware2scw-common';
import type { Dispatcher } from 'undici';
import { ChangedBlockTracking } from './ChangedBlockTracking';
import { CustomAttributes } from './CustomAttributes';
import { DatastoreDownloads } from './DatastoreDownloads';
import { ExportLeases } from './ExportLeases';
import { VcenterConfigError } from './faults';
import {
  InventoryReader,
  type InventoryReadResult,
  type ReadInventoryOptions,
} from './InventoryReader';
import type { NfcLease, NfcLeaseOpenOptions } from './NfcLease';
import { PowerOperations } from './PowerOperations';
import { SoapTransport } from './SoapTransport';
import { TaggingClient } from './TaggingClient';
import { createDispatcher, describeTls } from './TlsPolicy';
import { VcenterConnection } from './VcenterConnection';
import { VcenterSession, type ServiceContent } from './VcenterSession';
import { vmRef, type SnapshotRef, type VmRef } from './VimRefs';
import { VmSnapshots } from './VmSnapshots';

export interface VcenterClientOptions {
  /** `https://vcenter.example.com` or its `/sdk` endpoint. */
  url: string;
  username: string;
  password: string;
  /** Skip CA verification; requires `thumbprintSha256`, which the certificate must then match. */
  insecure?: boolean;
  /** SHA-256 thumbprint the certificate must match, with or without `insecure`. */
  thumbprintSha256?: string;
  /** PEM CA certificate(s) of a private PKI, instead of the system store. */
  ca?: string | string[];
  logger?: LoggerService;
  /** Use this dispatcher instead of one built from the TLS options (tests, proxies). */
  dispatcher?: Dispatcher;
  /** Per-request timeout (headers and body), default 5 minutes. */
  requestTimeoutMs?: number;
  /** Largest SOAP answer read, default 256 MiB; a larger one is refused (`VCENTER_RESPONSE_TOO_LARGE`). */
  maxResponseBytes?: number;
  /**
   * Accept an `http://` URL. Tests against a local fake only: without TLS the password and the session
   * cookie cross the network in clear, so real vCenters are always reached over https.
   */
  allowPlainHttp?: boolean;
}

/**
 * Client of one vCenter (vim25 SOAP, plus the vAPI tagging endpoint): a facade over small parts, each in
 * its own file: the inventory reader, snapshots ({@link VmSnapshots}), export leases
 * ({@link ExportLeases}), changed block tracking ({@link ChangedBlockTracking}), datastore downloads
 * ({@link DatastoreDownloads}), custom attributes ({@link CustomAttributes}), tags
 * ({@link TaggingClient}) and power operations ({@link PowerOperations}). One login is shared by all
 * calls and renewed transparently; call {@link VcenterClient.close} when done (vCenter limits
 * concurrent sessions).
 */
export class VcenterClient {
  private readonly vc: VcenterConnection;
  private readonly tagging: TaggingClient;
  private readonly ownsDispatcher: boolean;
  private readonly snapshots: VmSnapshots;
  private readonly leases: ExportLeases;
  private readonly cbt: ChangedBlockTracking;
  private readonly downloads: DatastoreDownloads;
  private readonly attributes: CustomAttributes;
  private readonly power: PowerOperations;
  private restCalls = 0;

  private constructor(opts: VcenterClientOptions) {
    const sdkUrl = sdkUrlOf(opts.url, opts.allowPlainHttp ?? false);
    this.ownsDispatcher = !opts.dispatcher;
    const dispatcher =
      opts.dispatcher ??
      createDispatcher({
        insecure: opts.insecure,
        thumbprintSha256: opts.thumbprintSha256,
        ca: opts.ca,
      });
    const soap = new SoapTransport({
      sdkUrl,
      dispatcher,
      logger: opts.logger,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
    });
    const session = new VcenterSession(
      soap,
      { username: opts.username, password: opts.password },
      opts.logger,
    );
    this.vc = new VcenterConnection(soap, session, opts.logger);
    const basic = `Basic ${Buffer.from(
      `${opts.username}:${opts.password}`,
    ).toString('base64')}`;
    this.tagging = new TaggingClient({
      origin: sdkUrl.origin,
      dispatcher,
      basicAuth: () => basic,
      logger: opts.logger,
      onCall: () => {
        this.restCalls++;
      },
    });
    this.snapshots = new VmSnapshots(this.vc);
    this.leases = new ExportLeases(this.vc);
    this.cbt = new ChangedBlockTracking(this.vc);
    this.downloads = new DatastoreDownloads(this.vc);
    this.attributes = new CustomAttributes(this.vc);
    this.power = new PowerOperations(this.vc);
    opts.logger?.debug(
      `vCenter client for ${sdkUrl.host} (${describeTls(opts)})`,
    );
  }

  static create(opts: VcenterClientOptions): VcenterClient {
    if (!opts.username || !opts.password) {
      throw new VcenterConfigError({
        code: 'VCENTER_MISSING_CREDENTIALS',
        message: `No user name or password configured for vCenter ${hostOf(
          opts.url,
        )}`,
        remediation:
          'Set username and password (from the environment, e.g. ${VCENTER_PASSWORD}).',
      });
    }
    return new VcenterClient(opts);
  }

  /** From a `vmware2scw.vcenters[]` entry of app-config. */
  static fromConfig(
    vc: {
      url: string;
      username: string;
      password: string;
      insecure?: boolean;
      thumbprint?: string;
    },
    opts: { logger?: LoggerService; dispatcher?: Dispatcher } = {},
  ): VcenterClient {
    return VcenterClient.create({
      url: vc.url,
      username: vc.username,
      password: vc.password,
      insecure: vc.insecure,
      thumbprintSha256: vc.thumbprint,
      ...opts,
    });
  }

  /** SOAP round trips so far (logins and failed calls included). */
  get soapCallCount(): number {
    return this.vc.soap.callCount;
  }

  /** vAPI REST calls so far (tags). */
  get restCallCount(): number {
    return this.restCalls;
  }

  /** The SDK URL (`https://host/sdk`). */
  get sdkUrl(): URL {
    return this.vc.soap.sdkUrl;
  }

  async login(signal?: AbortSignal): Promise<void> {
    await this.vc.session.login(signal);
  }

  async logout(signal?: AbortSignal): Promise<void> {
    await this.vc.session.logout(signal);
  }

  /** Logs out (SOAP and vAPI) and releases connections. */
  async close(): Promise<void> {
    try {
      await this.tagging.logout();
      await this.vc.session.logout();
    } finally {
      if (this.ownsDispatcher) await this.vc.soap.dispatcher.close();
    }
  }

  /** vCenter product and API version (`about`), without logging in. */
  async about(signal?: AbortSignal): Promise<ServiceContent['about']> {
    return (await this.vc.session.serviceContent(signal)).about;
  }

  /** The whole inventory in the shared model. */
  async fetchInventory(opts: ReadInventoryOptions): Promise<Inventory> {
    return (await this.readInventory(opts)).inventory;
  }

  /** The inventory plus what was left out and why. */
  async readInventory(
    opts: ReadInventoryOptions,
  ): Promise<InventoryReadResult> {
    return this.vc.run(
      ({ content, pc }) =>
        new InventoryReader({
          soap: this.vc.soap,
          pc,
          tagging: this.tagging,
          logger: this.vc.logger,
        }).read(content, opts),
      opts.signal,
    );
  }

  /** Every snapshot of a VM, depth first. */
  listSnapshots(...args: Parameters<VmSnapshots['list']>) {
    return this.snapshots.list(...args);
  }

  /** The snapshot of that name, or `undefined`; two of that name are an error (see {@link VmSnapshots.find}). */
  findSnapshot(...args: Parameters<VmSnapshots['find']>) {
    return this.snapshots.find(...args);
  }

  /** Takes a snapshot and waits for it; returns it as listed in the VM's tree. */
  createSnapshot(...args: Parameters<VmSnapshots['create']>) {
    return this.snapshots.create(...args);
  }

  removeSnapshot(...args: Parameters<VmSnapshots['remove']>) {
    return this.snapshots.remove(...args);
  }

  /** The disks as frozen in a snapshot (backing files, CBT `changeId`s). */
  snapshotDisks(...args: Parameters<VmSnapshots['disks']>) {
    return this.snapshots.disks(...args);
  }

  /** Export lease on a powered-off VM (`ExportVm`); started keep-alive, must be completed or aborted. */
  exportVm(...args: Parameters<ExportLeases['exportVm']>) {
    return this.leases.exportVm(...args);
  }

  /** Export lease on a snapshot of a running VM (`ExportSnapshot`, vSphere 6.0+). */
  exportSnapshot(...args: Parameters<ExportLeases['exportSnapshot']>) {
    return this.leases.exportSnapshot(...args);
  }

  /** Opens an export lease, runs `fn`, completes the lease on success and aborts it on failure. */
  withExportLease<T>(
    source: { vm: VmRef } | { snapshot: SnapshotRef },
    fn: (lease: NfcLease) => Promise<T>,
    opts: NfcLeaseOpenOptions = {},
  ): Promise<T> {
    return this.leases.withLease(source, fn, opts);
  }

  /** CBT: areas of a disk changed since `changeId`, from `startOffset` (one QueryChangedDiskAreas). */
  queryChangedDiskAreas(
    ...args: Parameters<ChangedBlockTracking['changedAreas']>
  ) {
    return this.cbt.changedAreas(...args);
  }

  /** CBT: all changed areas up to `capacityBytes`. */
  allChangedDiskAreas(
    ...args: Parameters<ChangedBlockTracking['allChangedAreas']>
  ) {
    return this.cbt.allChangedAreas(...args);
  }

  /** Inventory path of the datacenter holding an entity (`Europe/DC1`): the `dcPath` of `/folder` URLs. */
  datacenterPath(...args: Parameters<DatastoreDownloads['datacenterPath']>) {
    return this.downloads.datacenterPath(...args);
  }

  /**
   * `/folder` URL of a datastore file, from its datastore path (`[ds] dir/file`) or its parts.
   * Download it with {@link VcenterClient.openDatastoreFile} or any HTTP client sending
   * {@link VcenterClient.downloadHeaders}.
   */
  datastoreDownloadUrl(...args: Parameters<DatastoreDownloads['url']>) {
    return this.downloads.url(...args);
  }

  /** Headers that authenticate a `/folder` or `/nfc` download with this client's session. */
  downloadHeaders(...args: Parameters<DatastoreDownloads['headers']>) {
    return this.downloads.headers(...args);
  }

  /** GETs a `/folder` (or `/nfc`) URL of this vCenter with the session cookie, optionally a byte range. */
  openDatastoreFile(...args: Parameters<DatastoreDownloads['open']>) {
    return this.downloads.open(...args);
  }

  /** Sets a custom attribute on an entity, creating its definition when missing unless `create` is false. */
  setCustomAttribute(...args: Parameters<CustomAttributes['set']>) {
    return this.attributes.set(...args);
  }

  /** Attaches the vSphere tag `category/name` to a VM (created if missing, unless `create` is false). */
  async tagVm(
    vm: VmRef,
    tag: { category: string; name: string },
    opts: { create?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.tagging.attachTag(vmRef(vm), tag, {
      create: opts.create ?? true,
      signal: opts.signal,
    });
  }

  /** Powers a VM off and waits; an already-off VM is not an error. */
  powerOff(...args: Parameters<PowerOperations['powerOff']>) {
    return this.power.powerOff(...args);
  }
}

function sdkUrlOf(url: string, allowPlainHttp: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VcenterConfigError({
      code: 'VCENTER_BAD_URL',
      // Not the URL itself: it may carry credentials (https://user:password@vc).
      message: 'The vCenter URL is not a URL',
      remediation:
        'Use https://vcenter.example.com or https://vcenter.example.com/sdk.',
    });
  }
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  if (u.protocol === 'http:' && !allowPlainHttp) {
    throw new VcenterConfigError({
      code: 'VCENTER_PLAIN_HTTP',
      message: `The vCenter URL ${shown} is not https: the password and the session cookie would cross the network in clear`,
      remediation:
        'Use the https:// URL of the vCenter; for a self-signed certificate set insecure: true with its SHA-256 thumbprint, or give its CA.',
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new VcenterConfigError({
      code: 'VCENTER_BAD_URL',
      message: `The vCenter URL ${shown} is not an https URL`,
      remediation:
        'Use https://vcenter.example.com or https://vcenter.example.com/sdk.',
    });
  }
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  if (!/\/sdk\/?$/.test(u.pathname))
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/sdk`;
  u.pathname = u.pathname.replace(/\/+$/, '');
  return u;
}

/** The host of a URL for messages (never its user info), or a placeholder when it does not parse. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
