import type { LoggerService } from '@backstage/backend-plugin-api';
import type { DiskInput, Inventory } from '@internal/plugin-vmware2scw-common';
import { request, type Dispatcher } from 'undici';
import {
  badResponse,
  AmbiguousSnapshotError,
  InvalidPowerStateError,
  NotAuthenticatedError,
  SnapshotNotFoundError,
  VcenterConfigError,
  VcenterError,
  VcenterHttpError,
  VcenterProtocolError,
} from './faults';
import {
  datastoreFolderUrl,
  parseDatastorePath,
  type DatastoreUrlInput,
} from './DatastorePath';
import {
  InventoryReader,
  type InventoryReadResult,
  type ReadInventoryOptions,
} from './InventoryReader';
import { abortQuietly, NfcLease, type NfcLeaseOpenOptions } from './NfcLease';
import { PropertyCollector } from './PropertyCollector';
import { flattenSnapshots, type SnapshotInfo } from './SnapshotTree';
import { SoapTransport } from './SoapTransport';
import { TaggingClient } from './TaggingClient';
import { TaskWaiter, type WaitOptions } from './TaskWaiter';
import { createDispatcher, describeTls, tlsErrorOf } from './TlsPolicy';
import { VcenterSession, type ServiceContent } from './VcenterSession';
import { morefXml, xml, type MoRef, type XmlValue } from './VimXml';
import { arrayItems, at, int, list, moref, text } from './VimValue';
import { mapHardware } from './VmHardwareMapper';

export interface VcenterClientOptions {
  /** `https://vcenter.example.com` or its `/sdk` endpoint. */
  url: string;
  username: string;
  password: string;
  /** Skip CA verification but require the certificate to match `thumbprintSha256`. */
  insecure?: boolean;
  thumbprintSha256?: string;
  /** PEM CA certificate(s) of a private PKI, instead of the system store. */
  ca?: string | string[];
  logger?: LoggerService;
  /** Use this dispatcher instead of one built from the TLS options (tests, proxies). */
  dispatcher?: Dispatcher;
  /** Per-request timeout (headers and body), default 5 minutes. */
  requestTimeoutMs?: number;
  /**
   * Accept an `http://` URL. Tests against a local fake only: without TLS the password and the session
   * cookie cross the network in clear, so real vCenters are always reached over https.
   */
  allowPlainHttp?: boolean;
}

/** A VM or snapshot given by its moref value (`vm-42`) or as a full MoRef. */
export type VmRef = string | MoRef;
export type SnapshotRef = string | MoRef;

export interface CreateSnapshotOptions extends WaitOptions {
  description?: string;
  /** Include the memory state (slow, large); default false. */
  memory?: boolean;
  /** Quiesce the guest file systems through VMware Tools; default false. */
  quiesce?: boolean;
}

export interface RemoveSnapshotOptions extends WaitOptions {
  removeChildren?: boolean;
  /** Consolidate the disk chain afterwards (default true, as vCenter does). */
  consolidate?: boolean;
}

export interface DiskChangeInfo {
  startOffset: number;
  length: number;
  changedAreas: Array<{ start: number; length: number }>;
}

export interface DatastoreFile {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes of the file (or of the requested range), a Node Readable; consume or `dump()` it. */
  body: Dispatcher.ResponseData['body'];
}

/**
 * Client of one vCenter (vim25 SOAP, plus the vAPI tagging endpoint): inventory, snapshots, export
 * leases, datastore downloads, custom attributes, tags and power-off. One login is shared by all
 * calls and renewed transparently; call {@link VcenterClient.close} when done (vCenter limits
 * concurrent sessions).
 */
export class VcenterClient {
  private readonly soap: SoapTransport;
  private readonly session: VcenterSession;
  private readonly tagging: TaggingClient;
  private readonly ownsDispatcher: boolean;
  private readonly logger?: LoggerService;
  private pcCache?: PropertyCollector;
  private restCalls = 0;

  private constructor(opts: VcenterClientOptions) {
    const sdkUrl = sdkUrlOf(opts.url, opts.allowPlainHttp ?? false);
    this.logger = opts.logger;
    this.ownsDispatcher = !opts.dispatcher;
    const dispatcher =
      opts.dispatcher ??
      createDispatcher({
        insecure: opts.insecure,
        thumbprintSha256: opts.thumbprintSha256,
        ca: opts.ca,
      });
    this.soap = new SoapTransport({
      sdkUrl,
      dispatcher,
      logger: opts.logger,
      requestTimeoutMs: opts.requestTimeoutMs,
    });
    this.session = new VcenterSession(
      this.soap,
      { username: opts.username, password: opts.password },
      opts.logger,
    );
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
    return this.soap.callCount;
  }

  /** vAPI REST calls so far (tags). */
  get restCallCount(): number {
    return this.restCalls;
  }

  /** The SDK URL (`https://host/sdk`). */
  get sdkUrl(): URL {
    return this.soap.sdkUrl;
  }

  async login(signal?: AbortSignal): Promise<void> {
    await this.session.login(signal);
  }

  async logout(signal?: AbortSignal): Promise<void> {
    await this.session.logout(signal);
  }

  /** Logs out (SOAP and vAPI) and releases connections. */
  async close(): Promise<void> {
    try {
      await this.tagging.logout();
      await this.session.logout();
    } finally {
      if (this.ownsDispatcher) await this.soap.dispatcher.close();
    }
  }

  /** vCenter product and API version (`about`), without logging in. */
  async about(signal?: AbortSignal): Promise<ServiceContent['about']> {
    return (await this.session.serviceContent(signal)).about;
  }

  /** The whole inventory in the shared model. */
  async fetchInventory(opts: ReadInventoryOptions): Promise<Inventory> {
    return (await this.readInventory(opts)).inventory;
  }

  /** The inventory plus what was left out and why. */
  async readInventory(
    opts: ReadInventoryOptions,
  ): Promise<InventoryReadResult> {
    return this.session.run(
      content =>
        new InventoryReader({
          soap: this.soap,
          pc: this.pc(content),
          tagging: this.tagging,
          logger: this.logger,
        }).read(content, opts),
      opts.signal,
    );
  }

  /** Every snapshot of a VM, depth first. */
  async listSnapshots(
    vm: VmRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<SnapshotInfo[]> {
    return this.session.run(async content => {
      const o = await this.pc(content).retrieveOne(
        vmRef(vm),
        ['snapshot'],
        opts,
      );
      return flattenSnapshots(o?.props.snapshot);
    }, opts.signal);
  }

  /**
   * The snapshot of that name, or `undefined`. Two snapshots with the same name are an error: the
   * migration engine names snapshots after the migration id, so a duplicate means a human stepped in.
   */
  async findSnapshot(
    vm: VmRef,
    name: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<SnapshotInfo | undefined> {
    const matches = (await this.listSnapshots(vm, opts)).filter(
      s => s.name === name,
    );
    if (matches.length > 1) {
      throw new AmbiguousSnapshotError({
        code: 'VCENTER_AMBIGUOUS_SNAPSHOT',
        message: `VM ${vmRef(vm).value} has ${
          matches.length
        } snapshots named "${name}" (${matches
          .map(s => s.snapshot.value)
          .join(', ')})`,
        remediation:
          'Delete the extra snapshots in vCenter, keeping the one to migrate from, then retry.',
      });
    }
    return matches[0];
  }

  /** Takes a snapshot and waits for it; returns it as listed in the VM's tree. */
  async createSnapshot(
    vm: VmRef,
    name: string,
    opts: CreateSnapshotOptions = {},
  ): Promise<SnapshotInfo> {
    const ref = vmRef(vm);
    // Each step is retried on its own after a lost session: re-running the whole would take a
    // second snapshot if the session died while waiting for the first.
    const res = await this.session.run(
      () =>
        this.soap.call(
          'CreateSnapshot_Task',
          xml`${morefXml('_this', ref)}<name>${name}</name>${
            opts.description !== undefined
              ? xml`<description>${opts.description}</description>`
              : undefined
          }<memory>${opts.memory ?? false}</memory><quiesce>${
            opts.quiesce ?? false
          }</quiesce>`,
          { signal: opts.signal },
        ),
      opts.signal,
    );
    const done = await this.waitTask(
      res.returnval,
      'CreateSnapshot_Task',
      opts,
    );
    const snapshots = await this.listSnapshots(ref, opts);
    const created =
      snapshots.find(s => s.snapshot.value === done.resultRef?.value) ??
      snapshots.filter(s => s.name === name).pop();
    if (!created) {
      throw new SnapshotNotFoundError({
        code: 'VCENTER_SNAPSHOT_NOT_FOUND',
        message: `Snapshot "${name}" of VM ${ref.value} is not in its tree after creation`,
        remediation:
          'Check the VM snapshots in vCenter (it may have been deleted at once).',
      });
    }
    return created;
  }

  async removeSnapshot(
    snapshot: SnapshotRef,
    opts: RemoveSnapshotOptions = {},
  ): Promise<void> {
    const ref = snapshotRef(snapshot);
    const res = await this.session.run(
      () =>
        this.soap.call(
          'RemoveSnapshot_Task',
          xml`${morefXml('_this', ref)}<removeChildren>${
            opts.removeChildren ?? false
          }</removeChildren><consolidate>${
            opts.consolidate ?? true
          }</consolidate>`,
          { signal: opts.signal },
        ),
      opts.signal,
    );
    await this.waitTask(res.returnval, 'RemoveSnapshot_Task', opts);
  }

  /**
   * The disks as frozen in a snapshot: backing files at that point of the chain and CBT `changeId`s,
   * which is what an incremental copy starts from.
   */
  async snapshotDisks(
    snapshot: SnapshotRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<DiskInput[]> {
    return this.session.run(async content => {
      const o = await this.pc(content).retrieveOne(
        snapshotRef(snapshot),
        ['config.hardware'],
        opts,
      );
      const none = {
        byMoref: () => undefined,
        byPortgroupKey: () => undefined,
        byOpaqueId: () => undefined,
      };
      return mapHardware(o?.props['config.hardware'], none).disks;
    }, opts.signal);
  }

  /** Export lease on a powered-off VM (`ExportVm`); started keep-alive, must be completed or aborted. */
  async exportVm(vm: VmRef, opts: NfcLeaseOpenOptions = {}): Promise<NfcLease> {
    return this.openLease('ExportVm', vmRef(vm), opts);
  }

  /** Export lease on a snapshot of a running VM (`ExportSnapshot`, vSphere 6.0+). */
  async exportSnapshot(
    snapshot: SnapshotRef,
    opts: NfcLeaseOpenOptions = {},
  ): Promise<NfcLease> {
    return this.openLease('ExportSnapshot', snapshotRef(snapshot), opts);
  }

  /** Opens an export lease, runs `fn`, completes the lease on success and aborts it on failure. */
  async withExportLease<T>(
    source: { vm: VmRef } | { snapshot: SnapshotRef },
    fn: (lease: NfcLease) => Promise<T>,
    opts: NfcLeaseOpenOptions = {},
  ): Promise<T> {
    const lease =
      'vm' in source
        ? await this.exportVm(source.vm, opts)
        : await this.exportSnapshot(source.snapshot, opts);
    let result: T;
    try {
      result = await fn(lease);
    } catch (err) {
      await lease.abort();
      throw err;
    }
    await lease.complete();
    return result;
  }

  /**
   * Changed block tracking: areas of a disk that changed since `changeId` (`*`: all allocated areas),
   * relative to a snapshot. One call covers part of the disk; see {@link VcenterClient.allChangedDiskAreas}.
   */
  async queryChangedDiskAreas(
    vm: VmRef,
    snapshot: SnapshotRef,
    deviceKey: number,
    startOffset: number,
    changeId: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<DiskChangeInfo> {
    return this.session.run(async () => {
      const res = await this.soap.call(
        'QueryChangedDiskAreas',
        xml`${morefXml('_this', vmRef(vm))}${morefXml(
          'snapshot',
          snapshotRef(snapshot),
        )}<deviceKey>${deviceKey}</deviceKey><startOffset>${startOffset}</startOffset><changeId>${changeId}</changeId>`,
        opts,
      );
      const r = res.returnval;
      return {
        startOffset: int(at(r, 'startOffset')) ?? startOffset,
        length: int(at(r, 'length')) ?? 0,
        changedAreas: list(at(r, 'changedArea')).map(a => ({
          start: int(at(a, 'start')) ?? 0,
          length: int(at(a, 'length')) ?? 0,
        })),
      };
    }, opts.signal);
  }

  /** All changed areas up to `capacityBytes`, calling QueryChangedDiskAreas as often as needed. */
  async allChangedDiskAreas(
    vm: VmRef,
    snapshot: SnapshotRef,
    deviceKey: number,
    changeId: string,
    capacityBytes: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Array<{ start: number; length: number }>> {
    const areas: Array<{ start: number; length: number }> = [];
    let offset = 0;
    while (offset < capacityBytes) {
      const info = await this.queryChangedDiskAreas(
        vm,
        snapshot,
        deviceKey,
        offset,
        changeId,
        opts,
      );
      areas.push(...info.changedAreas);
      const next = info.startOffset + info.length;
      // A zero-length answer would loop forever; vCenter only does that at the end of the disk.
      if (next <= offset) break;
      offset = next;
    }
    return areas;
  }

  /**
   * Inventory path of the datacenter holding an entity, with parent folders (`Europe/DC1`): the
   * `dcPath` of `/folder` URLs.
   */
  async datacenterPath(
    entity: VmRef | MoRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<string> {
    return this.session.run(async content => {
      const pc = this.pc(content);
      const names: string[] = [];
      let cur: MoRef | undefined =
        typeof entity === 'string' ? vmRef(entity) : entity;
      let inDatacenter = false;
      for (let guard = 0; cur && guard < 64; guard++) {
        // A VM inside a vApp has no `parent` folder: its place is its vApp (or resource pool).
        const isVm: boolean = cur.type === 'VirtualMachine';
        const o = await pc.retrieveOne(
          cur,
          isVm
            ? ['name', 'parent', 'parentVApp', 'resourcePool']
            : ['name', 'parent'],
          opts,
        );
        const parent: MoRef | undefined =
          moref(o?.props.parent) ??
          (isVm
            ? moref(o?.props.parentVApp) ?? moref(o?.props.resourcePool)
            : undefined);
        if (cur.type === 'Datacenter') inDatacenter = true;
        if (inDatacenter && parent)
          names.unshift(text(o?.props.name) ?? cur.value);
        cur = parent;
      }
      if (!inDatacenter) {
        throw new VcenterError({
          code: 'VCENTER_NO_DATACENTER',
          message: `${
            typeof entity === 'string' ? entity : entity.value
          } is not inside a datacenter`,
          remediation: 'Check the object in the vCenter inventory.',
        });
      }
      return names.join('/');
    }, opts.signal);
  }

  /**
   * `/folder` URL of a datastore file, from its datastore path (`[ds] dir/file`) or its parts.
   * Download it with {@link VcenterClient.openDatastoreFile} or any HTTP client sending
   * {@link VcenterClient.downloadHeaders}.
   */
  datastoreDownloadUrl(
    input: { fileName: string; datacenterPath: string } | DatastoreUrlInput,
  ): string {
    let parts: DatastoreUrlInput;
    if ('fileName' in input) {
      const p = parseDatastorePath(input.fileName);
      if (!p) {
        throw new VcenterConfigError({
          code: 'VCENTER_BAD_DATASTORE_PATH',
          message: `"${input.fileName}" is not a datastore path like "[datastore1] vm/vm.vmdk"`,
          remediation:
            'Pass the fileName of a disk backing as vCenter reports it.',
        });
      }
      parts = {
        datacenterPath: input.datacenterPath,
        datastore: p.datastore,
        path: p.path,
      };
    } else {
      parts = input;
    }
    return datastoreFolderUrl(this.soap.sdkUrl, parts);
  }

  /** Headers that authenticate a `/folder` or `/nfc` download with this client's session. */
  async downloadHeaders(signal?: AbortSignal): Promise<Record<string, string>> {
    if (!this.session.isLoggedIn) await this.session.login(signal);
    const cookie = this.soap.sessionCookie;
    return cookie ? { cookie } : {};
  }

  /**
   * GETs a `/folder` (or `/nfc`) URL with the session cookie, optionally a byte range
   * (`end` inclusive). Logs in again once if the session expired.
   */
  async openDatastoreFile(
    url: string,
    opts: {
      range?: { start: number; end?: number };
      signal?: AbortSignal;
    } = {},
  ): Promise<DatastoreFile> {
    const target = new URL(url);
    if (target.origin !== this.soap.sdkUrl.origin) {
      throw new VcenterConfigError({
        code: 'VCENTER_FOREIGN_URL',
        message: `Refusing to send the vCenter session to ${target.origin}`,
        remediation: `Only URLs on ${this.soap.sdkUrl.origin} are downloaded with the session cookie.`,
      });
    }
    const get = async () => {
      const headers = await this.downloadHeaders(opts.signal);
      if (opts.range) {
        headers.range = `bytes=${opts.range.start}-${opts.range.end ?? ''}`;
      }
      try {
        return await request(target, {
          method: 'GET',
          headers,
          dispatcher: this.soap.dispatcher,
          signal: opts.signal,
        });
      } catch (err) {
        throw (
          tlsErrorOf(err, target.host) ??
          new VcenterHttpError({
            code: 'VCENTER_UNREACHABLE',
            message: `Could not download from ${target.host}${target.pathname}`,
            remediation: 'Check the vCenter URL, DNS and firewall (TCP 443).',
            cause: err,
          })
        );
      }
    };
    let res = await get();
    if (res.statusCode === 401 || res.statusCode === 403) {
      await res.body.dump();
      await this.session.login(opts.signal);
      res = await get();
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump();
      throw new VcenterHttpError({
        code:
          res.statusCode === 404
            ? 'VCENTER_FILE_NOT_FOUND'
            : 'VCENTER_DOWNLOAD_FAILED',
        message: `Datastore download of ${decodeURIComponent(
          target.pathname,
        )} answered HTTP ${res.statusCode}`,
        remediation:
          res.statusCode === 404
            ? 'Check the datacenter path, datastore name and file path (vSAN and vVols have no -flat.vmdk).'
            : 'The user needs the Datastore > Browse datastore and Low level file operations privileges.',
        status: res.statusCode,
      });
    }
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /**
   * Sets a custom attribute (CustomFieldsManager) on an entity, creating the field definition for
   * VMs when it does not exist and `create` is not false.
   */
  async setCustomAttribute(
    entity: VmRef | MoRef,
    name: string,
    value: string,
    opts: { create?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const ref = typeof entity === 'string' ? vmRef(entity) : entity;
    await this.session.run(async content => {
      const cfm = content.customFieldsManager;
      if (!cfm) {
        throw new VcenterError({
          code: 'VCENTER_NO_CUSTOM_FIELDS',
          message:
            'This server has no CustomFieldsManager (a standalone ESXi host?)',
          remediation:
            'Use vSphere tags, or connect to vCenter rather than to a host.',
        });
      }
      const o = await this.pc(content).retrieveOne(cfm, ['field'], opts);
      const def = arrayItems(o?.props.field, 'CustomFieldDef').find(d => {
        const type = text(at(d, 'managedObjectType'));
        return text(at(d, 'name')) === name && (!type || type === ref.type);
      });
      let key = int(at(def, 'key'));
      if (key === undefined) {
        if (opts.create === false) {
          throw new VcenterError({
            code: 'VCENTER_NO_CUSTOM_FIELD',
            message: `vCenter has no custom attribute "${name}" for ${ref.type}`,
            remediation:
              'Create the custom attribute in vCenter or allow its creation.',
          });
        }
        const added = await this.soap.call(
          'AddCustomFieldDef',
          xml`${morefXml('_this', cfm)}<name>${name}</name><moType>${
            ref.type
          }</moType>`,
          opts,
        );
        key = int(at(added.returnval, 'key'));
        if (key === undefined) {
          // Writing with a guessed key would set another attribute of the VM.
          throw new VcenterProtocolError({
            code: 'VCENTER_BAD_RESPONSE',
            message: `vCenter created the custom attribute "${name}" but did not return its key`,
            remediation:
              'Retry: the attribute now exists and will be found by name; report it with the vCenter version if it persists.',
            method: 'AddCustomFieldDef',
          });
        }
      }
      await this.soap.call(
        'SetField',
        xml`${morefXml('_this', cfm)}${morefXml(
          'entity',
          ref,
        )}<key>${key}</key><value>${value}</value>`,
        opts,
      );
    }, opts.signal);
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

  /**
   * Powers a VM off (hard power-off, as PowerOffVM_Task does) and waits. A VM that is already off
   * is not an error, so the post-migration step can run twice.
   */
  async powerOff(
    vm: VmRef,
    opts: WaitOptions = {},
  ): Promise<{ alreadyOff: boolean }> {
    const ref = vmRef(vm);
    const state = await this.session.run(
      async content =>
        text(
          (
            await this.pc(content).retrieveOne(
              ref,
              ['runtime.powerState'],
              opts,
            )
          )?.props['runtime.powerState'],
        ),
      opts.signal,
    );
    if (state === 'poweredOff') return { alreadyOff: true };
    try {
      const res = await this.session.run(
        () =>
          this.soap.call(
            'PowerOffVM_Task',
            xml`${morefXml('_this', ref)}`,
            opts,
          ),
        opts.signal,
      );
      await this.waitTask(res.returnval, 'PowerOffVM_Task', opts);
      return { alreadyOff: false };
    } catch (err) {
      if (
        err instanceof InvalidPowerStateError &&
        err.existingState === 'poweredOff'
      ) {
        return { alreadyOff: true };
      }
      throw err;
    }
  }

  private pc(content: ServiceContent): PropertyCollector {
    if (!this.pcCache) {
      this.pcCache = new PropertyCollector(
        this.soap,
        content.propertyCollector,
        this.logger,
      );
    }
    return this.pcCache;
  }

  /** Waits for a task; polling reads are idempotent, so a lost session is simply renewed. */
  private async waitTask(
    returnval: XmlValue | undefined,
    method: string,
    opts: WaitOptions,
  ) {
    const task = moref(returnval);
    if (!task) throw badResponse(method, 'a task');
    return this.session.run(
      content => new TaskWaiter(this.pc(content)).wait(task, method, opts),
      opts.signal,
    );
  }

  private async openLease(
    method: 'ExportVm' | 'ExportSnapshot',
    target: MoRef,
    opts: NfcLeaseOpenOptions,
  ): Promise<NfcLease> {
    const res = await this.session.run(
      () => this.soap.call(method, xml`${morefXml('_this', target)}`, opts),
      opts.signal,
    );
    const lease = moref(res.returnval);
    if (!lease) throw badResponse(method, 'a lease');
    try {
      return await this.session.run(
        content =>
          NfcLease.open(
            {
              soap: this.soap,
              pc: this.pc(content),
              vcenterHost: this.soap.sdkUrl.host,
              logger: this.logger,
            },
            lease,
            opts,
          ),
        opts.signal,
      );
    } catch (err) {
      // NfcLease.open ends the lease on its own failures, except a lost session (which run() retried
      // once): end it here too, or it would block the VM until vCenter times it out.
      if (err instanceof NotAuthenticatedError)
        await abortQuietly(this.soap, lease);
      throw err;
    }
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

function vmRef(vm: VmRef): MoRef {
  return typeof vm === 'string' ? { type: 'VirtualMachine', value: vm } : vm;
}

function snapshotRef(s: SnapshotRef): MoRef {
  return typeof s === 'string'
    ? { type: 'VirtualMachineSnapshot', value: s }
    : s;
}
