import { useState, type ChangeEvent } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { Button, Flex, Text, TextField } from '@backstage/ui';
import {
  planCreatePermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../../../api';
import { useApiAction } from '../../../hooks/useApiAction';
import { downloadText } from '../../../links/downloadText';
import { ActionError } from '../../shared/ActionError';
import { ProblemList } from '../../shared/ProblemList';
import { Section } from '../../shared/Section';
import { EstimateView } from '../estimate/EstimateView';
import { PlanYamlEditor } from './PlanYamlEditor';

/** A plan file's name without its extension, as the default plan name. */
const baseName = (file: string) => file.replace(/\.(ya?ml)$/i, '');

/**
 * A plan YAML (uploaded or typed): validated against the inventory and the zone's catalog with each
 * problem at its line, estimated before it is stored, downloaded, stored under a name.
 */
export function PlanUpload(props: {
  onCreated: (plan: ApiModel.PlanSummary) => void;
}) {
  const api = useApi(vmware2scwApiRef);
  const [yaml, setYaml] = useState('');
  const [name, setName] = useState('');
  const [validation, setValidation] = useState<ApiModel.PlanValidation>();
  const [estimate, setEstimate] = useState<ApiModel.PlanEstimate>();
  const canCreate = usePermission({ permission: planCreatePermission });
  const action = useApiAction();

  const validate = async (text: string) => {
    setEstimate(undefined);
    const v = await action.run('Validate', () =>
      api.validatePlan({ yaml: text }),
    );
    if (v) setValidation(v);
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const text = await file.text();
    setYaml(text);
    if (!name) setName(baseName(file.name));
    await validate(text);
  };
  const save = async () => {
    const plan = await action.run('Save plan', () =>
      api.createPlan({ name: name.trim(), yaml }),
    );
    if (plan) props.onCreated(plan);
  };
  const estimateIt = async () => {
    const e = await action.run('Estimate', () =>
      api.estimatePlanYaml({ yaml }),
    );
    if (e) setEstimate(e);
  };

  // Problems of the last validation, or those the backend refused the save with.
  const problems = action.error?.problems.length
    ? action.error.problems
    : validation?.problems ?? [];
  const busy = action.pending !== undefined;

  return (
    <Section title="Plan from a YAML file">
      <Flex direction="column" gap="3">
        <label>
          <Text>Plan file (YAML v1): </Text>
          <input type="file" accept=".yaml,.yml" onChange={onFile} />
        </label>
        <PlanYamlEditor
          value={yaml}
          onChange={v => {
            setYaml(v);
            setValidation(undefined);
          }}
          problems={problems}
        />
        {validation && (
          <Text aria-live="polite">
            {validation.valid
              ? `Valid: ${validation.vmCount ?? 0} VMs in ${
                  validation.waves?.length ?? 0
                } wave(s)${
                  validation.waves?.length
                    ? ` (${validation.waves
                        .map(w => `${w.name}: ${w.vmCount}`)
                        .join(', ')})`
                    : ''
                }.`
              : `${
                  validation.problems.filter(p => p.severity === 'error').length
                } error(s): the plan cannot be stored as is.`}
          </Text>
        )}
        <ProblemList problems={problems} />
        <Flex gap="2" align="end">
          <Button
            variant="secondary"
            isDisabled={busy || yaml.trim() === ''}
            onPress={() => validate(yaml)}
          >
            Validate
          </Button>
          <Button
            variant="secondary"
            isDisabled={busy || yaml.trim() === ''}
            onPress={estimateIt}
          >
            Estimate
          </Button>
          <Button
            variant="secondary"
            isDisabled={yaml.trim() === ''}
            onPress={() =>
              downloadText(`${name || 'plan'}.yaml`, yaml, 'application/yaml')
            }
          >
            Download YAML
          </Button>
          <TextField
            label="Name to store it under"
            value={name}
            onChange={setName}
          />
          <Button
            variant="primary"
            isDisabled={
              busy ||
              !canCreate.allowed ||
              name.trim() === '' ||
              yaml.trim() === '' ||
              validation?.valid === false
            }
            onPress={save}
          >
            Save plan
          </Button>
        </Flex>
        <ActionError error={action.error} />
        {estimate && <EstimateView estimate={estimate} />}
      </Flex>
    </Section>
  );
}
