/**
 * Test utilities of the vmware2scw node library, for this package and the modules that use its clients:
 * a real vCenter simulator (vcsim, built from Debian's govmomi sources), a small fake vCenter for the
 * paths vcsim does not serve, a real S3-compatible server (OpenStack Swift s3api, from Debian packages),
 * a Scaleway API simulator that follows recorded traffic and reads the uploaded qcow2 from S3, the
 * conversion runner started as its CLI, and RVTools-shaped files (writers and the sample estate of
 * `examples/inventory/`).
 *
 * @packageDocumentation
 */
export * from './vcenter/testing/Vcsim';
export * from './vcenter/testing/FakeVcenter';
export * from './s3/testing/SwiftS3Server';
export {
  startScalewaySimulator,
  type ScalewaySimulator,
  type ScalewaySimulatorOptions,
  type SimulatorDelays,
  type SimulatorOperation,
  type SimulatedFailure,
} from './scaleway/testing/ScalewaySimulator';
export type { ObjectStorageEndpoint } from './scaleway/testing/ObjectStorageProbe';
export * from './runner/testing/RunnerProcess';
export {
  writeRvtoolsXlsx,
  writeRvtoolsCsv,
  type RvtoolsSheetData,
} from './rvtools/testing/RvtoolsWriter';
export { rvtoolsSampleSheets } from './rvtools/testing/RvtoolsSample';
