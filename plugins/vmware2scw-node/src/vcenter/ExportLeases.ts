import { badResponse, NotAuthenticatedError } from './faults';
import { abortQuietly, NfcLease, type NfcLeaseOpenOptions } from './NfcLease';
import type { VcenterConnection } from './VcenterConnection';
import { snapshotRef, vmRef, type SnapshotRef, type VmRef } from './VimRefs';
import { morefXml, xml, type MoRef } from './VimXml';
import { moref } from './VimValue';

/** NFC export leases: how the disks of a powered-off VM or of a snapshot are read out of vSphere. */
export class ExportLeases {
  constructor(private readonly vc: VcenterConnection) {}

  /** Export lease on a powered-off VM (`ExportVm`); started keep-alive, must be completed or aborted. */
  exportVm(vm: VmRef, opts: NfcLeaseOpenOptions = {}): Promise<NfcLease> {
    return this.open('ExportVm', vmRef(vm), opts);
  }

  /** Export lease on a snapshot of a running VM (`ExportSnapshot`, vSphere 6.0+). */
  exportSnapshot(
    snapshot: SnapshotRef,
    opts: NfcLeaseOpenOptions = {},
  ): Promise<NfcLease> {
    return this.open('ExportSnapshot', snapshotRef(snapshot), opts);
  }

  /** Opens an export lease, runs `fn`, completes the lease on success and aborts it on failure. */
  async withLease<T>(
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

  private async open(
    method: 'ExportVm' | 'ExportSnapshot',
    target: MoRef,
    opts: NfcLeaseOpenOptions,
  ): Promise<NfcLease> {
    const res = await this.vc.call(
      method,
      xml`${morefXml('_this', target)}`,
      opts,
    );
    const lease = moref(res.returnval);
    if (!lease) throw badResponse(method, 'a lease');
    try {
      return await this.vc.run(
        ({ pc }) =>
          NfcLease.open(
            {
              call: (m, body) => this.vc.call(m, body),
              pc,
              vcenterHost: this.vc.soap.sdkUrl.host,
              logger: this.vc.logger,
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
        await abortQuietly((m, body) => this.vc.call(m, body), lease);
      throw err;
    }
  }
}
