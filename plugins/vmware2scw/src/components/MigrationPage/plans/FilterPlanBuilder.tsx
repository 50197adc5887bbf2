import { useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Button,
  Flex,
  Radio,
  RadioGroup,
  Text,
  TextField,
} from '@backstage/ui';
import {
  planCreatePermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../../../api';
import { useApiAction } from '../../../hooks/useApiAction';
import { filterLines, useVmMatches } from '../../../hooks/useVmMatches';
import { downloadText } from '../../../links/downloadText';
import { ActionError } from '../../shared/ActionError';
import { ProblemList } from '../../shared/ProblemList';
import { Section } from '../../shared/Section';
import { VmFilterInput } from '../../shared/VmFilterInput';
import { VmMatchTable } from '../../shared/VmMatchTable';
import { PlanYamlEditor } from './PlanYamlEditor';

type Sizing = NonNullable<ApiModel.PlanFromFiltersRequest['sizing']>;
type WaveBy = NonNullable<ApiModel.PlanFromFiltersRequest['waveBy']>;
type PauseAfter = NonNullable<ApiModel.PlanFromFiltersRequest['pauseAfter']>;

function Choice<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (v: T) => void;
}) {
  return (
    <RadioGroup
      label={props.label}
      value={props.value}
      orientation="horizontal"
      onChange={v => props.onChange(v as T)}
    >
      {props.options.map(o => (
        <Radio key={o} value={o}>
          {o.replace(/_/g, ' ')}
        </Radio>
      ))}
    </RadioGroup>
  );
}

/**
 * The old `inventory-plan`: filters with a live count and the matching VMs with their concerns, the
 * sizing strategy and how to cut waves; preview the YAML, or store the plan under a name.
 */
export function FilterPlanBuilder(props: {
  onCreated: (plan: ApiModel.PlanSummary) => void;
}) {
  const api = useApi(vmware2scwApiRef);
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [sizing, setSizing] = useState<Sizing>('optimize');
  const [waveBy, setWaveBy] = useState<WaveBy>('single');
  const [pauseAfter, setPauseAfter] = useState<PauseAfter>('pause');
  const [result, setResult] = useState<ApiModel.PlanFromFiltersResult>();
  const filters = filterLines(text);
  const matches = useVmMatches(filters);
  const canCreate = usePermission({ permission: planCreatePermission });
  const action = useApiAction();

  const request = (withName: boolean): ApiModel.PlanFromFiltersRequest => ({
    ...(withName ? { name: name.trim() } : {}),
    filters: { filters },
    sizing,
    waveBy,
    pauseAfter,
  });
  const submit = async (withName: boolean) => {
    const r = await action.run(withName ? 'Create plan' : 'Preview', () =>
      api.createPlanFromFilters(request(withName)),
    );
    if (!r) return;
    setResult(r);
    if (r.plan) props.onCreated(r.plan);
  };
  const blocked = matches.problems.some(p => p.severity === 'error');

  return (
    <Section title="Plan from filters">
      <Flex direction="column" gap="3">
        <VmFilterInput text={text} onChange={setText} matches={matches} />
        {matches.result && <VmMatchTable result={matches.result} />}
        <Choice
          label="Sizing"
          value={sizing}
          options={['exact', 'optimize', 'cost'] as const}
          onChange={setSizing}
        />
        <Choice
          label="Waves"
          value={waveBy}
          options={
            ['single', 'datacenter', 'cluster', 'host', 'folder'] as const
          }
          onChange={setWaveBy}
        />
        <Choice
          label="After each wave"
          value={pauseAfter}
          options={['pause', 'pause_on_failure', 'none'] as const}
          onChange={setPauseAfter}
        />
        <TextField label="Plan name" value={name} onChange={setName} />
        <Flex gap="2">
          <Button
            variant="secondary"
            isDisabled={blocked || action.pending !== undefined}
            onPress={() => submit(false)}
          >
            Preview YAML
          </Button>
          <Button
            variant="primary"
            isDisabled={
              !canCreate.allowed ||
              blocked ||
              name.trim() === '' ||
              action.pending !== undefined
            }
            isPending={action.pending === 'Create plan'}
            onPress={() => submit(true)}
          >
            Create plan
          </Button>
        </Flex>
        {!canCreate.loading && !canCreate.allowed && (
          <Text variant="body-small" color="secondary">
            Creating plans needs vmware2scw.plan.create (the platform team).
          </Text>
        )}
        <ActionError error={action.error} />
        {result && (
          <Flex direction="column" gap="2">
            <Text aria-live="polite">
              {result.plan
                ? `Plan ${result.plan.name} stored: ${result.plan.vmCount} VMs in ${result.plan.waveCount} wave(s).`
                : `${result.selected.length} VMs selected (not stored).`}
            </Text>
            {result.skipped.length > 0 && (
              <ul aria-label="Skipped VMs">
                {result.skipped.map(s => (
                  <li key={s.vmName}>
                    <Text>
                      {s.vmName}: {s.reason}
                    </Text>
                  </li>
                ))}
              </ul>
            )}
            <ProblemList problems={result.problems} />
            <PlanYamlEditor
              value={result.yaml}
              problems={result.problems}
              readOnly
              label="Generated plan YAML"
            />
            <Flex>
              <Button
                variant="secondary"
                onPress={() =>
                  downloadText(
                    `${result.plan?.name ?? 'plan'}.yaml`,
                    result.yaml,
                    'application/yaml',
                  )
                }
              >
                Download YAML
              </Button>
            </Flex>
          </Flex>
        )}
      </Flex>
    </Section>
  );
}
