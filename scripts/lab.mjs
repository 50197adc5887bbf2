#!/usr/bin/env node
// A migration lab on this machine, for demos and manual tests: vcsim with a VM ("debian-guest") whose
// disk is a real VMware-style Debian guest (built once, about 3 minutes, then cached), a conversion
// runner (TCG), an S3 server (OpenStack Swift s3api) holding the transit bucket, and the Scaleway API
// simulator importing from it. Writes app-config.lab.local.yaml, which points vmware2scw at the lab,
// and prints the command that starts the product against it. Needs root (libguestfs) and the Debian
// packages of scripts/system-deps.sh. Ctrl-C stops everything.
// Usage: node scripts/lab.mjs [--stand-in]   (--stand-in: the product started with the printed command
// runs the runner's stages as quick stand-ins, for a demo of the whole flow in a minute)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

process.chdir(new URL('..', import.meta.url).pathname);
// The Debian packages the lab runs on (the guest build, vcsim, the runner, Swift): installed when missing
// and run as root, otherwise listed with the command that installs them.
try {
  execFileSync('./scripts/system-deps.sh', { stdio: 'inherit' });
} catch {
  process.exit(1);
}
const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const { Lab } = require('../packages/lab/src/index.ts');

const log = line => console.log(`${new Date().toISOString()} ${line}`);
const lab = await Lab.start({ log, extraGuests: ['debian-guest-2'] });
const config = {
  vmware2scw: lab.config(),
  catalog: {
    providers: {
      vmware2scw: {
        schedule: { frequency: { minutes: 1 }, timeout: { minutes: 2 } },
      },
    },
  },
};
writeFileSync(
  'app-config.lab.local.yaml',
  `# Written by scripts/lab.mjs: the local migration lab (loopback only, test credentials).\n${JSON.stringify(
    config,
    null,
    2,
  )}\n`,
);
log(
  `vCenter (vcsim): ${lab.vcsim.url}, VM ${lab.guest?.name} (${lab.guest?.vm})`,
);
log(`conversion runner: ${lab.runner.url}`);
log(`S3 (Swift): ${lab.s3.endpoint}; Scaleway simulator: ${lab.scaleway.url}`);
log('wrote app-config.lab.local.yaml; in another terminal:');
const standIn = process.argv.includes('--stand-in')
  ? 'VMWARE2SCW_LAB_STAND_IN_STAGES=1 '
  : '';
log(
  `  ${standIn}./scripts/start.sh --config ${process.cwd()}/app-config.yaml --config ${process.cwd()}/app-config.lab.local.yaml`,
);

const stop = async () => {
  await lab.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
