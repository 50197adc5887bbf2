/**
 * Test utilities of the conversion runner for other packages (the lab, end-to-end tests): the cached
 * VMware-style Debian guest, a datastore-like HTTP server, and booting a converted disk like Scaleway.
 *
 * @packageDocumentation
 */
export * from './VmwareDebianGuest';
export * from './DatastoreHttpServer';
export * from './ScalewayLikeBoot';
export * from './AptSources';
