import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  planCreatePermission,
  planReadPermission,
  waveApprovePermission,
} from '@internal/plugin-vmware2scw-common';
import { Vmware2scwPermissionPolicy } from './Vmware2scwPermissionPolicy';

const membership: Record<string, string[]> = {
  'user:default/alice': ['group:default/platform-team'],
  'user:default/bob': ['group:default/team-web'],
};

const policy = new Vmware2scwPermissionPolicy({
  admins: ['group:default/platform-team', 'user:default/carol'],
  getUserInfo: async user => {
    const ref = (user.credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(membership[ref] ?? [])],
    };
  },
});

const as = (ref: string) => ({
  credentials: mockCredentials.user(ref),
  info: { userEntityRef: ref, ownershipEntityRefs: [] },
});

describe('Vmware2scwPermissionPolicy', () => {
  it('lets every signed-in user read vmware2scw plans and status', async () => {
    expect(
      await policy.handle(
        { permission: planReadPermission },
        as('user:default/bob'),
      ),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets platform-team members and listed users change plans and approve waves', async () => {
    for (const who of ['user:default/alice', 'user:default/carol']) {
      for (const permission of [planCreatePermission, waveApprovePermission]) {
        expect((await policy.handle({ permission }, as(who))).result).toBe(
          AuthorizeResult.ALLOW,
        );
      }
    }
  });

  it('refuses changes to others, and to callers without a user', async () => {
    expect(
      (
        await policy.handle(
          { permission: waveApprovePermission },
          as('user:default/bob'),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
    expect(
      (await policy.handle({ permission: planCreatePermission })).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('leaves the rest of Backstage open to signed-in users', async () => {
    expect(
      (
        await policy.handle(
          { permission: catalogEntityReadPermission },
          as('user:default/bob'),
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
  });
});
