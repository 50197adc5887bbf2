import execa from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { resolveRunnerConfig } from '../config/RunnerConfig';
import { adaptLinuxCommand, GUEST_PACKAGES_DIR } from './AdaptLinuxCommand';
import { parseAdaptReport } from './AdaptLinuxReport';

describe('adapt_linux command', () => {
  const env = { VMWARE2SCW_RUNNER_TOKEN: 'a-token-of-enough-length' };
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-adapt-cmd-'));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  /** The variables the job script sets, as the guest's /bin/sh reads them. */
  async function settingsOf(jobScript: string) {
    const { stdout } = await execa('sh', [
      '-c',
      'eval "$(sed -n 2,3p "$1")"; printf "%s|%s" "$VMWARE2SCW_PACKAGES_DIR" "$VMWARE2SCW_APT_SOURCE"',
      'sh',
      jobScript,
    ]);
    const [packagesDir, aptSource] = stdout.split('|');
    return { packagesDir, aptSource };
  }

  it('runs the guest without the host network by default, and without any package source', async () => {
    const config = resolveRunnerConfig({}, env);
    expect(config.guest.network).toBe(false);
    const jobScript = join(work, 'default.sh');
    const args = await adaptLinuxCommand({
      files: ['/scratch/vms/vm-1/disk-0.qcow2'],
      guest: config.guest,
      jobScript,
    });
    expect(args).toContain('--no-network');
    expect(args).not.toContain('--network');
    expect(args).not.toContain('--copy-in');
    expect(args.slice(-2)).toEqual(['--run', jobScript]);
    await execa('sh', ['-n', jobScript]);
    expect(await settingsOf(jobScript)).toEqual({
      packagesDir: '',
      aptSource: '',
    });
  });

  it('copies the operator package folder in, and passes the apt source only with the network on', async () => {
    const dir = join(work, 'debs');
    await mkdir(dir);
    for (const name of [
      'qemu-guest-agent_7.2+dfsg-7_amd64.deb',
      'liburing2_2.3-3_amd64.deb',
      'bad:name_1_amd64.deb',
      'README',
    ])
      await writeFile(join(dir, name), 'x');
    const aptSource = 'deb http://mirror.lab/debian$(id) bookworm main';
    const config = resolveRunnerConfig(
      { guest: { network: true, packages: { dir, aptSource } } },
      env,
    );
    const jobScript = join(work, 'with-packages.sh');
    const logged: string[] = [];
    const args = await adaptLinuxCommand({
      files: ['/a.qcow2', '/b.qcow2'],
      guest: config.guest,
      jobScript,
      log: line => logged.push(line),
    });
    expect(args).toContain('--network');
    expect(args.filter(a => a === '-a')).toHaveLength(2);
    expect(args.filter(a => a === '--copy-in')).toHaveLength(2);
    expect(args).toContain(
      `${join(
        dir,
        'qemu-guest-agent_7.2+dfsg-7_amd64.deb',
      )}:${GUEST_PACKAGES_DIR}`,
    );
    expect(args.indexOf('--mkdir')).toBeLessThan(args.indexOf('--run'));
    expect(logged.join('\n')).toContain('bad:name_1_amd64.deb');
    await execa('sh', ['-n', jobScript]);
    // single-quoted: nothing of the operator's line is expanded by the guest's shell
    expect(await settingsOf(jobScript)).toEqual({
      packagesDir: GUEST_PACKAGES_DIR,
      aptSource,
    });
  });

  it('refuses an apt source without the network, or one with quotes', () => {
    expect(() =>
      resolveRunnerConfig(
        {
          guest: {
            packages: { aptSource: 'deb http://m/debian bookworm main' },
          },
        },
        env,
      ),
    ).toThrow(/guest.network is false/);
    expect(() =>
      resolveRunnerConfig(
        {
          guest: {
            network: true,
            packages: { aptSource: "deb http://m/' bookworm main" },
          },
        },
        env,
      ),
    ).toThrow(/guest.packages.aptSource/);
  });

  it('reports qemu-guest-agent as not installed, saying which package source to configure', () => {
    const report = parseAdaptReport([
      'qemu_guest_agent not_installed none t=3',
      'grub_efi not_installed packages_dir t=3',
    ]);
    expect(report.qemuGuestAgent).toBe('not_installed none');
    expect(report.warnings.join('\n')).toMatch(
      /qemu-guest-agent is not installed \(no package source configured: set guest.packages/,
    );
    expect(report.warnings.join('\n')).toMatch(
      /x86_64-efi is not installed \(not among the packages of guest.packages.dir\)/,
    );
  });
});
