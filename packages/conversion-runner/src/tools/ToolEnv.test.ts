import { runTool } from './ToolRunner';

describe('tool environment', () => {
  const secrets = {
    VMWARE2SCW_RUNNER_TOKEN: 'token-that-stays-in-the-runner',
    SCW_SECRET_KEY: 's3-secret-that-stays-in-the-runner',
  };
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [name, value] of Object.entries(secrets)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('starts tools with a minimal environment: no token, no S3 secret, but PATH and the libguestfs settings', async () => {
    const { stdout } = await runTool('env', [], {
      env: { LIBGUESTFS_BACKEND: 'direct' },
    });
    expect(stdout).toMatch(/^PATH=/m);
    expect(stdout).toMatch(/^LIBGUESTFS_BACKEND=direct$/m);
    for (const [name, value] of Object.entries(secrets)) {
      expect(stdout).not.toContain(name);
      expect(stdout).not.toContain(value);
    }
  });
});
