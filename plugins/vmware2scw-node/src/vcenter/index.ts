/**
 * vSphere client of vmware2scw: vim25 SOAP over undici, the inventory reader, snapshots, NFC export
 * leases, datastore downloads, custom attributes, vSphere tags and power-off.
 */
export { VcenterClient, type VcenterClientOptions } from './VcenterClient';
export type { VmRef, SnapshotRef } from './VimRefs';
export type {
  CreateSnapshotOptions,
  RemoveSnapshotOptions,
} from './VmSnapshots';
export type { DiskChangeInfo, DiskArea } from './ChangedBlockTracking';
export type { DatastoreFile } from './DatastoreDownloads';
export type {
  ReadInventoryOptions,
  InventoryReadResult,
} from './InventoryReader';
export {
  NfcLease,
  resolveDeviceUrl,
  type NfcDeviceUrl,
  type NfcManifestEntry,
  type NfcLeaseOpenOptions,
} from './NfcLease';
export type { SnapshotInfo } from './SnapshotTree';
export type { WaitOptions } from './TaskWaiter';
export type { MoRef } from './VimXml';
export type { ServiceContent } from './VcenterSession';
export {
  parseDatastorePath,
  formatDatastorePath,
  datastoreFolderUrl,
  flatExtentPath,
  type DatastorePath,
  type DatastoreUrlInput,
} from './DatastorePath';
export {
  createDispatcher,
  normalizeThumbprint,
  type TlsOptions,
} from './TlsPolicy';
export {
  VcenterError,
  VcenterFaultError,
  InvalidLoginError,
  NotAuthenticatedError,
  NoPermissionError,
  ManagedObjectNotFoundError,
  TaskInProgressError,
  InvalidPowerStateError,
  InvalidStateError,
  MethodNotFoundError,
  InvalidArgumentError,
  DuplicateNameError,
  RequestCanceledError,
  VcenterTlsError,
  VcenterHttpError,
  VcenterProtocolError,
  VcenterConfigError,
  VcenterTimeoutError,
  VcenterAbortedError,
  SnapshotNotFoundError,
  AmbiguousSnapshotError,
  NfcLeaseError,
  VcenterRestError,
  type VcenterErrorOptions,
} from './faults';
