import { resolveRunnerConfig } from './RunnerConfig';

describe('runner config', () => {
  const env = { VMWARE2SCW_RUNNER_TOKEN: 'a-token-of-enough-length' };

  it('applies defaults and env overrides, and reads secrets from env only', () => {
    const config = resolveRunnerConfig(
      { allowedHosts: ['esxi-01.lab'] },
      {
        ...env,
        VMWARE2SCW_RUNNER_PORT: '9999',
        VMWARE2SCW_ALLOWED_HOSTS: 'a.lab, b.lab',
        SCW_ACCESS_KEY: 'SCWXXXXXXXXXXXXXXXXX',
        SCW_SECRET_KEY: 'secret',
      },
    );
    expect(config.listen.port).toBe(9999);
    expect(config.allowedHosts).toEqual(['a.lab', 'b.lab']);
    expect(config.s3Credentials).toEqual({
      accessKeyId: 'SCWXXXXXXXXXXXXXXXXX',
      secretAccessKey: 'secret',
    });
    expect(config.s3.endpoint).toBe('https://s3.{region}.scw.cloud');
  });

  it('refuses to start without a token, naming the variable', () => {
    expect(() => resolveRunnerConfig({}, {})).toThrow(
      /VMWARE2SCW_RUNNER_TOKEN is not set/,
    );
  });

  it('names the bad field of the file', () => {
    expect(() =>
      resolveRunnerConfig({ jobs: { concurrency: 0 } }, env),
    ).toThrow(/field "jobs.concurrency"/);
    expect(() => resolveRunnerConfig({ token: 'inline' }, env)).toThrow(
      /Unrecognized key/,
    );
  });
});
