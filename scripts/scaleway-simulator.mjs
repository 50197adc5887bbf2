#!/usr/bin/env node
// Demo and manual testing without a Scaleway account: starts a local S3 server (OpenStack Swift s3api,
// from Debian packages) holding the transit bucket, and the Scaleway API simulator in front of it (the
// Block and Instance routes the gateway uses, answering with the recorded shapes and state sequences;
// imports read the uploaded qcow2 from the bucket and refuse what Scaleway refuses). Prints both URLs
// and writes app-config.scaleway-sim.local.yaml, which points vmware2scw at them.
// Usage: node scripts/scaleway-simulator.mjs [--port 8992] [--bucket vmware2scw-transit]
//          [--fast | --recorded]   (transition delays: 1 s imports, or the recorded 3.5 min)
// Ctrl-C stops both.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

process.chdir(new URL('..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const {
  SwiftS3Server,
  startScalewaySimulator,
} = require('../plugins/vmware2scw-node/src/testUtils.ts');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8992' },
    bucket: { type: 'string', default: 'vmware2scw-transit' },
    fast: { type: 'boolean', default: false },
    recorded: { type: 'boolean', default: false },
  },
});
const DELAYS = {
  fast: {
    snapshotImportMs: 1_000,
    imageCreateMs: 300,
    serverStartMs: 1_000,
    serverStopMs: 500,
  },
  recorded: {
    snapshotImportMs: 212_000,
    imageCreateMs: 0,
    serverStartMs: 3_000,
    serverStopMs: 3_000,
  },
};
const accessKey = 'SCWSIMULATOR00000000';
const secretKey =
  process.env.SCW_SIM_SECRET_KEY ?? '5e0c4b3a-0000-4000-8000-00000000d3e0';
const projectId = '66666666-7777-4888-9999-000000000000';

const s3 = await SwiftS3Server.start({ region: 'fr-par' });
await s3.createBucket(values.bucket);
const sim = await startScalewaySimulator({
  objectStorage: s3,
  secretKey,
  projectId,
  port: Number(values.port),
  delays:
    (values.recorded && DELAYS.recorded) ||
    (values.fast && DELAYS.fast) ||
    undefined,
});

writeFileSync(
  'app-config.scaleway-sim.local.yaml',
  `# Written by scripts/scaleway-simulator.mjs: the local Scaleway API simulator and S3 server.
vmware2scw:
  scaleway:
    accessKey: ${accessKey}
    secretKey: \${SCW_SIM_SECRET_KEY}
    projectId: ${projectId}
    defaultZone: fr-par-1
    transitBucket: ${values.bucket}
    apiUrl: ${sim.url}
    s3Endpoint: ${s3.endpoint}
`,
);
console.log(`Scaleway API simulator: ${sim.url}`);
console.log(
  `  zones fr-par-1..3, project ${projectId}, X-Auth-Token ${secretKey}; delays ${JSON.stringify(
    sim.delays,
  )}`,
);
console.log(
  `S3 (Swift s3api): ${s3.endpoint} region ${s3.region}, bucket ${values.bucket}, ` +
    `access key ${s3.credentials.accessKeyId} / secret ${s3.credentials.secretAccessKey}`,
);
console.log(
  'wrote app-config.scaleway-sim.local.yaml; add it with --config, and SCW_SIM_SECRET_KEY in the environment.',
);

const stop = async () => {
  await sim.close();
  await s3.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
