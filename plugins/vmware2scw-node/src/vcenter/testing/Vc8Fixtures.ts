import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  soapResponse,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from './FakeVcenter';

/**
 * FakeVcenter handlers that answer like the vCenter 8 of `__fixtures__/vc8`: login with a quoted
 * cookie, container views, the parent graph, two pages of VMs linked by a token, custom fields.
 * Tests override single methods to inject leases, faults or tasks.
 */
export function vc8Fixture(name: string): string {
  return fs.readFileSync(
    path.join(
      resolvePackagePath(
        '@internal/plugin-vmware2scw-node',
        'src/vcenter/__fixtures__/vc8',
      ),
      name,
    ),
    'utf8',
  );
}

const raw = (
  name: string,
  extra: Partial<FakeResponse> = {},
): FakeResponse => ({
  raw: true,
  body: vc8Fixture(name),
  ...extra,
});

export function vc8Handlers(
  overrides: Record<string, FakeHandler> = {},
): Record<string, FakeHandler> {
  let logins = 0;
  const retrieve: FakeHandler = (req: FakeRequest) => {
    if (req.body.includes('<obj type="CustomFieldsManager">'))
      return raw('CustomFieldsManager-field.xml');
    if (
      req.body.includes('<type>VirtualMachine</type>') &&
      req.body.includes('ContainerView')
    ) {
      return raw('RetrievePropertiesEx-vms-page1.xml');
    }
    if (req.body.includes('<type>Datacenter</type>'))
      return raw('RetrievePropertiesEx-graph.xml');
    return soapResponse('RetrievePropertiesEx', '<returnval></returnval>');
  };
  return {
    RetrieveServiceContent: () => raw('RetrieveServiceContent.xml'),
    Login: () => {
      logins++;
      return raw('Login.xml', {
        headers: {
          'set-cookie': `vmware_soap_session="c737032e9fee84b0ba8da187603eaf99a4a5d79${logins}"; Path=/; HttpOnly; Secure;`,
        },
      });
    },
    Logout: () => raw('Logout.xml'),
    CreateContainerView: () => raw('CreateContainerView.xml'),
    DestroyView: () => raw('DestroyView.xml'),
    RetrievePropertiesEx: retrieve,
    ContinueRetrievePropertiesEx: () =>
      raw('ContinueRetrievePropertiesEx-vms-page2.xml'),
    ...overrides,
  };
}
