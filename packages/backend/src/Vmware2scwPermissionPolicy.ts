import type { BackstageUserInfo } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';

/**
 * Permission policy of this Backstage instance.
 *
 * - vmware2scw: everyone signed in may read (plans, estimates, status, reports); creating plans, running
 *   batches and approving waves is for the configured admins (`vmware2scw.permissions.admins`, users or
 *   groups). A request with no user (a service) is refused for those.
 * - everything else (catalog, scaffolder, …): allowed for signed-in users, as in Backstage's defaults.
 */
export class Vmware2scwPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: {
      admins: string[];
      getUserInfo: (user: PolicyQueryUser) => Promise<BackstageUserInfo>;
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('vmware2scw.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (permission.attributes.action === 'read') {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs, userEntityRef } =
      await this.options.getUserInfo(user);
    const refs = new Set(
      [userEntityRef, ...ownershipEntityRefs].map(r => r.toLowerCase()),
    );
    const isAdmin = this.options.admins.some(a => refs.has(a.toLowerCase()));
    return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
}
