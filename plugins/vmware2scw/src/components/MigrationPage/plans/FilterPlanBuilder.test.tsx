import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../../api';
import { plans, vmSummary } from '../../../__fixtures__/apiModels';
import { fakeVmware2scwApi } from '../../../__fixtures__/fakeApi';
import { FilterPlanBuilder } from './FilterPlanBuilder';
import { withFreshPermissionCache } from '../../../__testUtils__/freshPermissionCache';

function renderBuilder(
  calls: Partial<Vmware2scwClientApi>,
  options: { canCreate?: boolean } = {},
) {
  const onCreated = jest.fn();
  const view = renderInTestApp(
    withFreshPermissionCache(<FilterPlanBuilder onCreated={onCreated} />),
    {
      apis: [
        [vmware2scwApiRef, fakeVmware2scwApi(calls)],
        mockApis.permission({
          authorize:
            options.canCreate === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
      ],
    },
  );
  return { view, onCreated };
}

const typeFilters = (text: string) =>
  fireEvent.change(screen.getByLabelText('VM filters'), {
    target: { value: text },
  });

describe('FilterPlanBuilder', () => {
  it('counts the matching VMs live and lists them with their concerns', async () => {
    const queryVms = jest.fn(async () => ({
      total: 1,
      vms: [vmSummary],
      problems: [],
    }));
    renderBuilder({ queryVms });
    expect(await screen.findByText('1 VM match')).toBeInTheDocument();
    expect(queryVms).toHaveBeenLastCalledWith({ filter: [], limit: 50 });

    typeFilters('os:linux\n\nname:web-*');
    expect(
      await screen.findByText('Counting matching VMs…'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(queryVms).toHaveBeenLastCalledWith({
        filter: ['os:linux', 'name:web-*'],
        limit: 50,
      }),
    );
    expect(await screen.findByText('1 VM match')).toBeInTheDocument();
    const row = screen
      .getByRole('rowheader', { name: /^web-prod-01/ })
      .closest('[role="row"]') as HTMLElement;
    expect(row).toHaveTextContent('1 warning, 1 info');
    expect(row).toHaveTextContent('4 vCPU, 16.0 GiB');
  });

  it('shows a filter mistake at once, without asking the backend', async () => {
    const queryVms = jest.fn(async () => ({
      total: 54,
      vms: [],
      problems: [],
    }));
    renderBuilder({ queryVms });
    await screen.findByText('54 VMs match');
    typeFilters('oss:linux');
    expect(
      await screen.findByText('Fix the filters to count matching VMs'),
    ).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Problems' })).toHaveTextContent(
      'Did you mean os',
    );
    expect(screen.getByRole('button', { name: 'Create plan' })).toBeDisabled();
    expect(queryVms).toHaveBeenCalledTimes(1);
  });

  it('stores the plan under a name and hands it on', async () => {
    const createPlanFromFilters = jest.fn(async () => ({
      yaml: 'version: 1\nmigrations:\n  - vm: web-prod-01\n',
      selected: ['web-prod-01'],
      skipped: [{ vmName: 'web-tpl', reason: 'is a template' }],
      problems: [],
      plan: plans[0],
    }));
    const { onCreated } = renderBuilder({
      queryVms: async () => ({ total: 1, vms: [vmSummary], problems: [] }),
      createPlanFromFilters,
    });
    await screen.findByText('1 VM match');
    typeFilters('name:web-*');
    await userEvent.click(screen.getByRole('radio', { name: 'cost' }));
    await userEvent.click(screen.getByRole('radio', { name: 'cluster' }));
    fireEvent.change(screen.getByLabelText('Plan name'), {
      target: { value: 'web-tier' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create plan' }));
    expect(createPlanFromFilters).toHaveBeenCalledWith({
      name: 'web-tier',
      filters: { filters: ['name:web-*'] },
      sizing: 'cost',
      waveBy: 'cluster',
      pauseAfter: 'pause',
    });
    expect(
      await screen.findByText('Plan web-tier stored: 3 VMs in 2 wave(s).'),
    ).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Skipped VMs' })).toHaveTextContent(
      'web-tpl: is a template',
    );
    expect(onCreated).toHaveBeenCalledWith(plans[0]);
  });

  it('lets anyone preview, but only plan creators store', async () => {
    renderBuilder(
      { queryVms: async () => ({ total: 1, vms: [vmSummary], problems: [] }) },
      { canCreate: false },
    );
    await screen.findByText('1 VM match');
    fireEvent.change(screen.getByLabelText('Plan name'), {
      target: { value: 'web-tier' },
    });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Create plan' }),
      ).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Preview YAML' })).toBeEnabled();
    expect(
      screen.getByText(
        'Creating plans needs vmware2scw.plan.create (the platform team).',
      ),
    ).toBeInTheDocument();
  });
});
