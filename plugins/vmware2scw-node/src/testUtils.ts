/**
 * Test utilities of the vmware2scw node library, for this package and the modules that use its clients:
 * a real vCenter simulator (vcsim, built from Debian's govmomi sources), a small fake vCenter for the
 * paths vcsim does not serve, and RVTools-shaped files (writers and the sample estate of
 * `examples/inventory/`).
 *
 * @packageDocumentation
 */
export * from './vcenter/testing/Vcsim';
export * from './vcenter/testing/FakeVcenter';
export * from './runner/testing/RunnerProcess';
export {
  writeRvtoolsXlsx,
  writeRvtoolsCsv,
  type RvtoolsSheetData,
} from './rvtools/testing/RvtoolsWriter';
export { rvtoolsSampleSheets } from './rvtools/testing/RvtoolsSample';
