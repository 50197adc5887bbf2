import { ConfigReader } from '@backstage/config';
import { DEFAULT_ACTION_SETTINGS, readActionSettings } from './ActionSettings';

describe('readActionSettings', () => {
  it('uses the defaults, with the vmware2scw admins as approvers', () => {
    const settings = readActionSettings(
      new ConfigReader({
        vmware2scw: {
          permissions: { admins: ['group:default/platform-team'] },
        },
      }),
    );
    expect(settings).toEqual({
      ...DEFAULT_ACTION_SETTINGS,
      approvers: ['group:default/platform-team'],
    });
  });

  it('reads durations in any of Backstage’s forms and its own approvers', () => {
    const settings = readActionSettings(
      new ConfigReader({
        scaffolder: {
          vmware2scw: {
            pollInterval: { seconds: 10 },
            progressInterval: 'PT1M',
            progressPercentStep: 5,
            maxWait: '2h',
            approvers: ['user:default/ops-lead'],
          },
        },
      }),
    );
    expect(settings).toEqual({
      pollIntervalMs: 10_000,
      progressIntervalMs: 60_000,
      progressPercentStep: 5,
      maxWaitMs: 7_200_000,
      approvers: ['user:default/ops-lead'],
    });
  });

  it('names the key of a value it cannot use, and what to do', () => {
    expect(() =>
      readActionSettings(
        new ConfigReader({
          scaffolder: { vmware2scw: { pollInterval: { milliseconds: 10 } } },
        }),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'SCAFFOLDER_CONFIG_INVALID',
        message:
          'scaffolder.vmware2scw.pollInterval must be at least 0.5 second(s)',
        remediation: expect.stringContaining('config.d.ts'),
      }),
    );
    expect(() =>
      readActionSettings(
        new ConfigReader({
          scaffolder: { vmware2scw: { progressPercentStep: 0 } },
        }),
      ),
    ).toThrow(/progressPercentStep must be between 1 and 100/);
  });
});
