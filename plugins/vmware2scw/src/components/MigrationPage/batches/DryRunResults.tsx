import { StatusError, StatusOK } from '@backstage/core-components';
import { Text } from '@backstage/ui';
import { STAGES, type ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatTimestamp } from '../../../format/quantities';
import { Section } from '../../shared/Section';

function Check(props: { check: ApiModel.DryRunCheck }) {
  const { check } = props;
  const Icon = check.ok ? StatusOK : StatusError;
  return (
    <li>
      <Icon>{check.check}</Icon> <Text>{check.message}</Text>
      {!check.ok && check.remediation && (
        <Text as="p" variant="body-small" color="secondary">
          Remediation: {check.remediation}
        </Text>
      )}
    </li>
  );
}

/** What a dry run found: services reached from the backend, then every VM's checks and stages. */
export function DryRunResults(props: { report: ApiModel.DryRunReport }) {
  const { report } = props;
  return (
    <Section title="Dry run">
      <Text weight="bold">
        {report.ok
          ? 'Every check passed: the batch can run.'
          : 'Some checks failed: fix them before running the batch.'}{' '}
        ({formatTimestamp(report.checkedAt)})
      </Text>
      <ul aria-label="Services">
        {report.services.map(c => (
          <Check key={c.check} check={c} />
        ))}
      </ul>
      {report.vms.map(vm => (
        <div
          key={vm.entityRef}
          aria-label={`Dry run of ${vm.vmName}`}
          role="group"
        >
          <Text weight="bold">
            {vm.ok ? '✓' : '✗'} {vm.vmName}
            {vm.targetType && ` → ${vm.targetType}`}
            {vm.runnerId && ` on ${vm.runnerId}`}
          </Text>
          <ul>
            {vm.checks.map(c => (
              <Check key={c.check} check={c} />
            ))}
          </ul>
          <Text variant="body-small" color="secondary">
            Would run: {vm.stages.map(s => STAGES[s]?.title ?? s).join(' → ')}
          </Text>
        </div>
      ))}
    </Section>
  );
}
