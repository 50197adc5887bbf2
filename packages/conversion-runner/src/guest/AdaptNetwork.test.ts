import execa from 'execa';
import { existsSync } from 'fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { adaptNetworkScriptPath, parseAdaptReport } from './AdaptLinuxReport';

/**
 * The network step of adapt_linux (guest-scripts/adapt-network.sh, run by the guest's /bin/sh) on a
 * folder holding only one stack's files, as they are on VMware guests: each name- or MAC-bound
 * configuration is replaced by DHCP on any Ethernet NIC, and a static address is kept aside, disabled.
 */
describe('adapt_linux network step', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-net-'));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  async function adapt(
    name: string,
    files: Record<string, string>,
    family = 'debian',
  ) {
    const root = join(work, name);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    const { stdout } = await execa('sh', [
      '-euc',
      'say() { printf "%s\\n" "$*"; }; . "$1"; ROOT=$2 family=$3 adapt_network',
      'sh',
      adaptNetworkScriptPath(),
      root,
      family,
    ]);
    const lines = stdout.split('\n').filter(Boolean);
    return {
      root,
      report: parseAdaptReport(lines),
      read: (path: string) => readFile(join(root, path), 'utf8'),
      exists: (path: string) => existsSync(join(root, path)),
    };
  }

  it('systemd-networkd: a .network file bound to ens192 is kept aside, DHCP on any Ethernet NIC', async () => {
    const vmware =
      '[Match]\nName=ens192\n\n[Network]\nAddress=192.168.10.20/24\nGateway=192.168.10.1\nDNS=192.168.10.1\n';
    const loopback = '[Match]\nName=lo\n';
    const { report, read, exists } = await adapt('networkd', {
      'etc/systemd/network/10-ens192.network': vmware,
      'etc/systemd/network/05-lo.network': loopback,
      'etc/systemd/network/20-mac.network':
        '[Match]\nMACAddress=00:50:56:aa:bb:cc\n[Network]\nDHCP=yes\n',
    });
    expect(report.network).toBe('systemd-networkd');
    expect(exists('etc/systemd/network/10-ens192.network')).toBe(false);
    expect(exists('etc/systemd/network/20-mac.network')).toBe(false);
    expect(
      await read('etc/systemd/network/vmware2scw-disabled/10-ens192.network'),
    ).toBe(vmware);
    expect(await read('etc/systemd/network/05-lo.network')).toBe(loopback);
    const dhcp = await read('etc/systemd/network/50-vmware2scw-dhcp.network');
    expect(dhcp).toMatch(/^\[Match\]\nType=ether\nName=en\* eth\*$/m);
    expect(dhcp).toMatch(/^DHCP=yes$/m);
    // only the file with a static address is reported as such
    expect(report.networkKeptAside).toEqual([
      '/etc/systemd/network/vmware2scw-disabled/10-ens192.network',
    ]);
    expect(report.warnings.join('\n')).toContain(
      'static address of the VMware network in /etc/systemd/network/vmware2scw-disabled/10-ens192.network was disabled',
    );
  });

  it('NetworkManager keyfiles: a profile pinned to ens192 is kept aside, one DHCP profile for any NIC', async () => {
    const vmware =
      '[connection]\nid=ens192\nuuid=0d6a7a62-5d8e-4bd8-9f62-0c9a4b1c2d3e\ntype=ethernet\ninterface-name=ens192\n\n[ethernet]\nmac-address=00:50:56:AA:BB:CC\n\n[ipv4]\nmethod=manual\naddress1=192.168.10.20/24,192.168.10.1\n';
    const wifi =
      '[connection]\nid=office\ntype=wifi\ninterface-name=wlan0\n[ipv4]\nmethod=auto\n';
    const { root, report, read, exists } = await adapt(
      'keyfiles',
      {
        'etc/NetworkManager/system-connections/ens192.nmconnection': vmware,
        'etc/NetworkManager/system-connections/office.nmconnection': wifi,
      },
      'rhel',
    );
    expect(report.network).toBe('networkmanager');
    expect(
      exists('etc/NetworkManager/system-connections/ens192.nmconnection'),
    ).toBe(false);
    expect(
      await read('etc/NetworkManager/vmware2scw-disabled/ens192.nmconnection'),
    ).toBe(vmware);
    expect(
      await read('etc/NetworkManager/system-connections/office.nmconnection'),
    ).toBe(wifi);
    const profile = join(
      root,
      'etc/NetworkManager/system-connections/vmware2scw-dhcp.nmconnection',
    );
    const dhcp = await readFile(profile, 'utf8');
    expect(dhcp).toMatch(/^type=ethernet$/m);
    expect(dhcp).toMatch(/^\[ipv4\]\nmethod=auto$/m);
    expect(dhcp).toMatch(/^uuid=[0-9a-f-]{36}$/m);
    expect(dhcp).not.toMatch(/interface-name|mac-address/);
    // NetworkManager ignores keyfiles others can read
    expect((await stat(profile)).mode & 0o777).toBe(0o600);
    expect(report.networkKeptAside).toEqual([
      '/etc/NetworkManager/vmware2scw-disabled/ens192.nmconnection',
    ]);
  });

  it('RHEL ifcfg with NetworkManager: ifcfg-ens192 is kept aside, DHCP through a keyfile', async () => {
    const vmware =
      'TYPE=Ethernet\nBOOTPROTO=none\nNAME=ens192\nDEVICE=ens192\nONBOOT=yes\nIPADDR=192.168.10.20\nPREFIX=24\nGATEWAY=192.168.10.1\nHWADDR=00:50:56:aa:bb:cc\n';
    const { report, read, exists } = await adapt(
      'ifcfg',
      {
        'etc/sysconfig/network-scripts/ifcfg-ens192': vmware,
        'etc/sysconfig/network-scripts/ifcfg-lo':
          'DEVICE=lo\nIPADDR=127.0.0.1\n',
        'etc/sysconfig/network-scripts/ifcfg-bond0':
          'DEVICE=bond0\nTYPE=Bond\nBOOTPROTO=dhcp\n',
        'etc/NetworkManager/NetworkManager.conf': '[main]\nplugins=ifcfg-rh\n',
      },
      'rhel',
    );
    expect(report.network).toBe('ifcfg+networkmanager');
    expect(exists('etc/sysconfig/network-scripts/ifcfg-ens192')).toBe(false);
    expect(
      await read(
        'etc/sysconfig/network-scripts.vmware2scw-disabled/ifcfg-ens192',
      ),
    ).toBe(vmware);
    expect(exists('etc/sysconfig/network-scripts/ifcfg-lo')).toBe(true);
    expect(exists('etc/sysconfig/network-scripts/ifcfg-bond0')).toBe(true);
    expect(
      await read(
        'etc/NetworkManager/system-connections/vmware2scw-dhcp.nmconnection',
      ),
    ).toMatch(/^method=auto$/m);
    expect(report.networkKeptAside).toEqual([
      '/etc/sysconfig/network-scripts.vmware2scw-disabled/ifcfg-ens192',
    ]);
  });

  it('netplan with the NetworkManager renderer keeps the renderer; the VMware file is kept aside', async () => {
    const vmware =
      'network:\n  version: 2\n  renderer: NetworkManager\n  ethernets:\n    ens192:\n      addresses: [192.168.10.20/24]\n      routes: [{ to: default, via: 192.168.10.1 }]\n';
    const { report, read, exists } = await adapt('netplan', {
      'etc/netplan/01-netcfg.yaml': vmware,
    });
    expect(report.network).toBe('netplan');
    expect(exists('etc/netplan/01-netcfg.yaml')).toBe(false);
    expect(await read('etc/netplan/vmware2scw-disabled/01-netcfg.yaml')).toBe(
      vmware,
    );
    const dhcp = await read('etc/netplan/50-vmware2scw.yaml');
    expect(dhcp).toContain('  renderer: NetworkManager\n');
    expect(dhcp).toContain('match: { name: "e*" }');
    expect(dhcp).toContain('dhcp4: true');
    expect(report.networkKeptAside).toEqual([
      '/etc/netplan/vmware2scw-disabled/01-netcfg.yaml',
    ]);
  });

  it('ifupdown: interfaces rewritten for DHCP on en*/eth*, the static original kept', async () => {
    const vmware =
      'auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet static\n  address 192.168.10.20/24\n';
    const { report, read } = await adapt('ifupdown', {
      'etc/network/interfaces': vmware,
      'etc/network/interfaces.d/ens224': 'iface ens224 inet dhcp\n',
    });
    expect(report.network).toBe('ifupdown');
    expect(await read('etc/network/interfaces.vmware2scw-orig')).toBe(vmware);
    expect(await read('etc/network/interfaces')).toMatch(
      /^auto \/en\*=scwnic$/m,
    );
    expect(
      await read('etc/network/interfaces.d.vmware2scw-disabled/ens224'),
    ).toBe('iface ens224 inet dhcp\n');
    expect(report.networkKeptAside).toEqual([
      '/etc/network/interfaces.vmware2scw-orig',
    ]);
  });

  it('says so when it recognises no network configuration', async () => {
    const { report } = await adapt('nothing', { 'etc/hostname': 'x\n' });
    expect(report.network).toBe('none');
    expect(report.warnings.join('\n')).toContain('systemd-networkd');
  });
});
