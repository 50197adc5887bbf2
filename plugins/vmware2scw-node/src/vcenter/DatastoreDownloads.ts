import { request, type Dispatcher } from 'undici';
import {
  NoPermissionError,
  VcenterConfigError,
  VcenterError,
  VcenterHttpError,
} from './faults';
import {
  datastoreFolderUrl,
  parseDatastorePath,
  type DatastoreUrlInput,
} from './DatastorePath';
import { tlsErrorOf } from './TlsPolicy';
import type { VcenterConnection } from './VcenterConnection';
import { vmRef, type VmRef } from './VimRefs';
import type { MoRef } from './VimXml';
import { moref, text } from './VimValue';

export interface DatastoreFile {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes of the file (or of the requested range), a Node Readable; consume or `dump()` it. */
  body: Dispatcher.ResponseData['body'];
}

/**
 * Files of datastores over vCenter's `/folder` HTTP endpoint: where a VM's datacenter is (the `dcPath`),
 * the URL of a datastore file, and its download with the session cookie, which only ever goes to the
 * vCenter the client logged in to.
 */
export class DatastoreDownloads {
  constructor(private readonly vc: VcenterConnection) {}

  /**
   * Inventory path of the datacenter holding an entity, with parent folders (`Europe/DC1`): the
   * `dcPath` of `/folder` URLs.
   */
  async datacenterPath(
    entity: VmRef | MoRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<string> {
    return this.vc.run(async ({ pc }) => {
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

  /** `/folder` URL of a datastore file, from its datastore path (`[ds] dir/file`) or its parts. */
  url(
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
    return datastoreFolderUrl(this.vc.soap.sdkUrl, parts);
  }

  /** Headers that authenticate a `/folder` or `/nfc` download with the session. */
  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    if (!this.vc.session.isLoggedIn) await this.vc.session.login(signal);
    const cookie = this.vc.soap.sessionCookie;
    return cookie ? { cookie } : {};
  }

  /**
   * GETs a `/folder` (or `/nfc`) URL with the session cookie, optionally a byte range
   * (`end` inclusive). Logs in again once if the session expired.
   */
  async open(
    url: string,
    opts: {
      range?: { start: number; end?: number };
      signal?: AbortSignal;
    } = {},
  ): Promise<DatastoreFile> {
    const origin = this.vc.soap.sdkUrl.origin;
    const target = new URL(url);
    if (target.origin !== origin) {
      throw new VcenterConfigError({
        code: 'VCENTER_FOREIGN_URL',
        message: `Refusing to send the vCenter session to ${target.origin}`,
        remediation: `Only URLs on ${origin} are downloaded with the session cookie.`,
      });
    }
    const get = async () => {
      const headers = await this.headers(opts.signal);
      if (opts.range) {
        headers.range = `bytes=${opts.range.start}-${opts.range.end ?? ''}`;
      }
      try {
        return await request(target, {
          method: 'GET',
          headers,
          dispatcher: this.vc.soap.dispatcher,
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
    if (res.statusCode === 401) {
      // The session is unknown there (expired, vCenter restarted): one new login, one retry.
      await res.body.dump();
      await this.vc.session.login(opts.signal);
      res = await get();
    }
    const path = decodeURIComponent(target.pathname);
    if (res.statusCode === 403) {
      // A live session without the privilege: logging in again would only open a second session.
      await res.body.dump();
      throw new NoPermissionError({
        code: 'VCENTER_NO_PERMISSION',
        message: `Datastore download of ${path} was refused (HTTP 403): the vCenter user may not read this datastore`,
        remediation:
          'Grant the vCenter role of this user Datastore > Browse datastore and Low level file operations on the datastore.',
      });
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump();
      throw new VcenterHttpError({
        code:
          res.statusCode === 404
            ? 'VCENTER_FILE_NOT_FOUND'
            : 'VCENTER_DOWNLOAD_FAILED',
        message: `Datastore download of ${path} answered HTTP ${res.statusCode}`,
        remediation:
          res.statusCode === 404
            ? 'Check the datacenter path, datastore name and file path (vSAN and vVols have no -flat.vmdk).'
            : 'The user needs the Datastore > Browse datastore and Low level file operations privileges.',
        status: res.statusCode,
      });
    }
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }
}
