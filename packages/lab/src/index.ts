/**
 * A migration lab on one machine (vcsim with a real guest disk, a conversion runner, an S3 server, the
 * Scaleway API simulator) for end-to-end tests and demos.
 *
 * @packageDocumentation
 */
export * from './Lab';
export * from './standInRunnerStages';
