import { ConfigReader } from '@backstage/config';
import {
  readVmware2scwConfig,
  Vmware2scwConfigError,
} from './Vmware2scwConfig';

const SECRET_KEY = '11111111-2222-3333-4444-555555555555';
const PASSWORD = 's3cr3t-Passw0rd!';
const TOKEN = 'runner-token-0123456789abcdef';

const valid = {
  vcenters: [
    {
      id: 'vc-lab',
      url: 'https://vcenter.lab.example/sdk',
      username: 'administrator@vsphere.local',
      password: PASSWORD,
      insecure: true,
      thumbprint: `${'AB:'.repeat(31)}CD`,
    },
  ],
  scaleway: {
    accessKey: 'SCWABCDEFGHIJ0123456',
    secretKey: SECRET_KEY,
    projectId: '9d3f2a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    defaultZone: 'fr-par-1',
    transitBucket: 'vmware-migration-transit',
  },
  conversion: {
    runners: [{ id: 'runner-1', url: 'http://127.0.0.1:7080', token: TOKEN }],
  },
};

function read(data: unknown) {
  return readVmware2scwConfig(new ConfigReader({ vmware2scw: data } as any));
}

function issuesOf(data: unknown): Array<{ key: string; message: string }> {
  try {
    read(data);
  } catch (e) {
    expect(e).toBeInstanceOf(Vmware2scwConfigError);
    const err = e as Vmware2scwConfigError;
    for (const s of [PASSWORD, SECRET_KEY, TOKEN])
      expect(err.message).not.toContain(s);
    return err.issues;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('readVmware2scwConfig', () => {
  it('accepts the documented configuration and fills defaults', () => {
    const cfg = read(valid);
    expect(cfg.vcenters).toHaveLength(1);
    expect(cfg.scaleway?.s3Region).toBe('fr-par');
    expect(cfg.scaleway?.verify).toEqual({ createServer: true, ip: 'public' });
    expect(cfg.conversion).toMatchObject({
      workDir: '/var/lib/vmware2scw/work',
      compressQcow2: true,
      cleanupOnSuccess: true,
    });
  });

  it('reads what verify does, and names a wrong value', () => {
    const cfg = read({
      ...valid,
      scaleway: { ...valid.scaleway, verify: { createServer: false } },
    });
    expect(cfg.scaleway?.verify).toEqual({ createServer: false, ip: 'public' });
    expect(
      issuesOf({
        ...valid,
        scaleway: { ...valid.scaleway, verify: { ip: 'elastic' } },
      }),
    ).toEqual([
      {
        key: 'vmware2scw.scaleway.verify.ip',
        message: 'expected public, private or none',
      },
    ]);
  });

  it('treats an absent section as no vCenter, no Scaleway, no runner', () => {
    const cfg = readVmware2scwConfig(new ConfigReader({}));
    expect(cfg.vcenters).toEqual([]);
    expect(cfg.scaleway).toBeUndefined();
    expect(cfg.conversion.runners).toEqual([]);
  });

  it('requires a pinned thumbprint when insecure is true', () => {
    const { thumbprint, ...vc } = valid.vcenters[0];
    expect(issuesOf({ ...valid, vcenters: [vc] })).toEqual([
      {
        key: 'vmware2scw.vcenters[0].thumbprint',
        message: expect.stringContaining('required when insecure is true'),
      },
    ]);
  });

  it('names each bad key and what is expected, without echoing secrets', () => {
    const issues = issuesOf({
      ...valid,
      vcenters: [{ ...valid.vcenters[0], url: 'ftp://x', thumbprint: 'nope' }],
      scaleway: {
        ...valid.scaleway,
        secretKey: `not-a-uuid-${SECRET_KEY}`,
        defaultZone: 'fr-lyo-1',
      },
      conversion: {
        runners: [{ id: 'Runner 1', url: 'http://r', token: 'short' }],
      },
    });
    const keys = issues.map(i => i.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'vmware2scw.vcenters[0].url',
        'vmware2scw.vcenters[0].thumbprint',
        'vmware2scw.scaleway.secretKey',
        'vmware2scw.scaleway.defaultZone',
        'vmware2scw.conversion.runners[0].id',
        'vmware2scw.conversion.runners[0].token',
      ]),
    );
    expect(issues.find(i => i.key.endsWith('defaultZone'))!.message).toContain(
      'fr-par-1',
    );
  });

  it('says where to get a missing secret from', () => {
    const { password, ...vc } = valid.vcenters[0];
    const [issue] = issuesOf({ ...valid, vcenters: [vc] });
    expect(issue).toEqual({
      key: 'vmware2scw.vcenters[0].password',
      message: expect.stringContaining('${VCENTER_PASSWORD}'),
    });
  });

  it('accepts plain http only towards this machine', () => {
    const runner = (url: string) => ({
      ...valid,
      conversion: { runners: [{ ...valid.conversion.runners[0], url }] },
    });
    expect(
      read(runner('http://localhost:7080')).conversion.runners,
    ).toHaveLength(1);
    expect(issuesOf(runner('http://runner-1.example:7080'))).toEqual([
      {
        key: 'vmware2scw.conversion.runners[0].url',
        message: expect.stringContaining('only accepted for localhost'),
      },
    ]);
    expect(
      issuesOf({
        ...valid,
        vcenters: [{ ...valid.vcenters[0], url: 'http://vcenter.example/sdk' }],
      }),
    ).toEqual([
      {
        key: 'vmware2scw.vcenters[0].url',
        message: expect.stringContaining('expected https'),
      },
    ]);
  });

  it('rejects a transit bucket outside the default zone region', () => {
    expect(
      issuesOf({
        ...valid,
        scaleway: { ...valid.scaleway, s3Region: 'nl-ams' },
      }),
    ).toEqual([
      {
        key: 'vmware2scw.scaleway.s3Region',
        message: expect.stringContaining('fr-par'),
      },
    ]);
  });

  it('rejects unknown keys and duplicate ids', () => {
    const issues = issuesOf({
      ...valid,
      vcenter: {},
      conversion: {
        runners: [valid.conversion.runners[0], valid.conversion.runners[0]],
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { key: 'vmware2scw', message: expect.stringContaining('"vcenter"') },
        {
          key: 'vmware2scw.conversion.runners[1].id',
          message: expect.stringContaining('duplicate'),
        },
      ]),
    );
  });
});
