/**
 * Domain of vmware2scw: pure code shared by the backend, the catalog and scaffolder modules and the
 * frontend (no I/O, no clock, no environment).
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './inventory';
export * from './annotations';
export * from './api';
