import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../api';
import { MigrationPage } from './MigrationPage';

describe('MigrationPage', () => {
  it('shows what the backend is connected to', async () => {
    const api = {
      getHealth: async () => ({
        status: 'ok',
        version: '0.1.0',
        vcenters: 2,
        runners: 1,
        scaleway: { configured: false },
      }),
    } as Partial<Vmware2scwClientApi> as Vmware2scwClientApi;
    await renderInTestApp(
      <TestApiProvider apis={[[vmware2scwApiRef, api]]}>
        <MigrationPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('0.1.0')).toBeInTheDocument();
    expect(screen.getByText('2')).toBeInTheDocument();
    expect(screen.getByText(/offline price list/)).toBeInTheDocument();
  });
});
