import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { vmware2scwApiRef } from '../../api';
import { vmSummary } from '../../__fixtures__/apiModels';
import { fakeVmware2scwApi } from '../../__fixtures__/fakeApi';
import {
  validateVmFiltersField,
  Vmware2scwVmFilters,
} from './Vmware2scwVmFilters';

type Props = ComponentProps<typeof Vmware2scwVmFilters>;

describe('Vmware2scwVmFilters', () => {
  it('turns the lines and bounds into the field value and counts the matching VMs live', async () => {
    const queryVms = jest.fn(async () => ({
      total: 12,
      vms: [vmSummary],
      problems: [],
    }));
    const onChange = jest.fn();
    await renderInTestApp(
      <Vmware2scwVmFilters
        {...({
          formData: { filters: ['os:linux'], minCpu: 2 },
          onChange,
          uiSchema: {},
          schema: { title: 'Which VMs' },
        } as unknown as Props)}
      />,
      { apis: [[vmware2scwApiRef, fakeVmware2scwApi({ queryVms })]] },
    );
    expect(await screen.findByText('12 VMs match')).toBeInTheDocument();
    expect(queryVms).toHaveBeenCalledWith({
      filter: ['os:linux'],
      minCpu: 2,
      limit: 20,
    });
    fireEvent.change(screen.getByLabelText('Which VMs'), {
      target: { value: 'os:linux\n name:web-* \n' },
    });
    expect(onChange).toHaveBeenLastCalledWith({
      filters: ['os:linux', 'name:web-*'],
      minCpu: 2,
    });
    fireEvent.change(screen.getByLabelText('Max disk (GB)'), {
      target: { value: '500' },
    });
    expect(onChange).toHaveBeenLastCalledWith({
      filters: ['os:linux'],
      minCpu: 2,
      maxDiskGb: 500,
    });
    expect(
      screen.getByRole('rowheader', { name: /^web-prod-01/ }),
    ).toBeInTheDocument();
  });

  it('refuses a malformed filter before the template runs', () => {
    const errors: string[] = [];
    const validation = { addError: (e: string) => errors.push(e) };
    validateVmFiltersField(
      { filters: ['os:linux'], minCpu: 2 },
      validation as any,
      {} as any,
    );
    expect(errors).toEqual([]);
    validateVmFiltersField(
      { filters: ['regex:^(web'] },
      validation as any,
      {} as any,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('regex:^(web');
  });
});
