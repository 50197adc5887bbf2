import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { estimate } from '../../../__fixtures__/apiModels';
import { EstimateView } from './EstimateView';

describe('EstimateView', () => {
  it('gives totals, each wave and its charts, and every warning', async () => {
    const { container } = await renderInTestApp(
      <EstimateView estimate={estimate} />,
    );
    const totals = screen.getByRole('region', { name: 'Totals' });
    expect(totals).toHaveTextContent('3 (3 migratable)');
    expect(totals).toHaveTextContent('140 GiB');
    expect(totals).toHaveTextContent('2 h 15 min');
    expect(totals).toHaveTextContent('160 GiB of 500 GiB available');
    expect(totals).toHaveTextContent('€330.98/month');

    const waves = screen.getByRole('region', { name: 'Waves' });
    const wave1 = within(waves)
      .getByRole('rowheader', { name: /^wave-1/ })
      .closest('[role="row"]') as HTMLElement;
    expect(wave1).toHaveTextContent('100 GiB');
    expect(wave1).toHaveTextContent('1 h 30 min');
    expect(wave1).toHaveTextContent('€239.68/month');
    expect(
      within(waves).getByRole('figure', { name: 'Monthly cost per wave' }),
    ).toBeInTheDocument();
    expect(
      within(waves).getByRole('figure', {
        name: 'Migration duration per wave',
      }),
    ).toBeInTheDocument();
    // One bar per wave in each chart.
    expect(container.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(
      4,
    );

    const warnings = screen.getByRole('region', { name: 'Warnings' });
    expect(warnings).toHaveTextContent(
      'Prices come from the offline snapshot of 2026-11-01.',
    );
    expect(
      within(warnings).getByRole('list', { name: 'Concerns in this plan' }),
    ).toHaveTextContent(
      'BIOS firmware (warning, 2 VMs) web-prod-01, web-prod-02',
    );
  });

  it('warns when a critical concern blocks VMs and scratch space is short', async () => {
    await renderInTestApp(
      <EstimateView
        estimate={{
          ...estimate,
          containsCritical: true,
          totals: { ...estimate.totals, scratchFits: false },
        }}
      />,
    );
    const warnings = screen.getByRole('region', { name: 'Warnings' });
    expect(warnings).toHaveTextContent(
      'Some VMs have critical concerns: they will not migrate as planned.',
    );
    expect(warnings).toHaveTextContent(
      "The runners' scratch space is too small for the peak of this plan.",
    );
  });
});
