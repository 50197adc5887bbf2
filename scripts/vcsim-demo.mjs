#!/usr/bin/env node
// Demo and manual testing without a real vCenter: builds and starts the vCenter simulator (vcsim, from
// Debian's govmomi sources, see plugins/vmware2scw-node/vcsim) and writes app-config.vcsim.local.yaml,
// which points vmware2scw at it (TLS with the simulator's certificate pinned by its SHA-256 thumbprint).
// Then, in another terminal, start the product with both config files (the command is printed).
// Usage: node scripts/vcsim-demo.mjs [VMs per host/cluster, default 4]. Ctrl-C stops the simulator.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

process.chdir(new URL('..', import.meta.url).pathname);
const vms = process.argv[2] ?? '4';
const bin = execFileSync('plugins/vmware2scw-node/vcsim/build.sh', {
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
const password = process.env.VCSIM_PASSWORD ?? 'vcsim-demo-password';
const child = spawn(
  bin,
  ['-l', '127.0.0.1:8989', '-stage', '-vm', vms, '-cluster', '2'],
  {
    env: {
      ...process.env,
      VCSIM_USERNAME: 'migration@vsphere.local',
      VCSIM_PASSWORD: password,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [line] = await new Promise(resolve => {
  createInterface({ input: child.stdout }).once('line', l => resolve([l]));
});
const info = JSON.parse(line);
writeFileSync(
  'app-config.vcsim.local.yaml',
  `# Written by scripts/vcsim-demo.mjs: the local vCenter simulator.
vmware2scw:
  vcenters:
    - id: vcsim
      url: ${info.url}
      username: migration@vsphere.local
      password: \${VCSIM_PASSWORD}
      insecure: true
      thumbprint: "${info.thumbprintSha256}"
catalog:
  providers:
    vmware2scw:
      vcenters:
        vcsim:
          schedule: { frequency: { minutes: 5 }, timeout: { minutes: 3 } }
`,
);
console.log(
  `vcsim: ${info.url} (${info.vms} VMs), thumbprint ${info.thumbprintSha256}`,
);
console.log('wrote app-config.vcsim.local.yaml; start the product with:');
console.log(
  `  VCSIM_PASSWORD=${
    process.env.VCSIM_PASSWORD ? '$VCSIM_PASSWORD' : password
  } ./scripts/start.sh --config ${process.cwd()}/app-config.yaml --config ${process.cwd()}/app-config.vcsim.local.yaml`,
);
process.on('SIGINT', () => child.kill());
child.on('exit', code => process.exit(code ?? 0));
