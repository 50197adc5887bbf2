import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { vmware2scwApiRef } from './api';
import {
  assessment,
  entityStatus,
  plans,
  runningMigration,
} from './__fixtures__/apiModels';
import { fakeVmware2scwApi } from './__fixtures__/fakeApi';
import { vmEntity } from './__fixtures__/vmEntity';
import {
  EntityVmMigrationCard,
  EntityVmMigrationContent,
  Vmware2scwPage,
} from './legacy';

// The first render compiles the whole lazy component tree: slow on a loaded 2-core machine.
jest.setTimeout(60_000);
const slow = { timeout: 30_000 };

// Apps on the old frontend system render the same components through compatWrapper.
describe('old frontend system exports', () => {
  const api = fakeVmware2scwApi({
    getVmAssessment: async () => assessment,
    getVmMigrationStatus: async () => entityStatus(runningMigration),
    listMigrationEvents: async () => ({ items: [] }),
    getHealth: async () => ({
      status: 'ok',
      version: '0.1.0',
      vcenters: 1,
      runners: 1,
      scaleway: { configured: false },
    }),
    listPlans: async () => ({ items: plans }),
    queryVms: async () => ({ total: 0, vms: [], problems: [] }),
  });
  const withApis = (el: JSX.Element) => (
    <TestApiProvider
      apis={[
        [vmware2scwApiRef, api],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      {el}
    </TestApiProvider>
  );

  it('renders the card and the tab on a VM entity', async () => {
    await renderInTestApp(
      withApis(
        <EntityProvider entity={vmEntity}>
          <EntityVmMigrationCard />
          <EntityVmMigrationContent />
        </EntityProvider>,
      ),
    );
    expect(
      await screen.findByText('Migration to Scaleway: web-prod-01', {}, slow),
    ).toBeInTheDocument();
    expect((await screen.findAllByText('Stage 3 of 10: Export')).length).toBe(
      2,
    );
  });

  it('renders the migration page', async () => {
    // As an app mounts it: <Route path="/vmware2scw" element={<Vmware2scwPage />} />.
    await renderInTestApp(
      withApis(
        <Routes>
          <Route path="/vmware2scw/*" element={<Vmware2scwPage />} />
        </Routes>,
      ),
      { routeEntries: ['/vmware2scw'] },
    );
    expect(
      await screen.findByText('VMware to Scaleway migration', {}, slow),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('rowheader', { name: /^web-tier/ }, slow),
    ).toBeInTheDocument();
  });
});
