import { useEffect } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  createFormField,
  type FormField,
} from '@backstage/plugin-scaffolder-react/alpha';
import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';
import { Flex, Radio, RadioGroup, Skeleton, Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../api';
import { pricingNote } from '../VmMigrationCard/TargetProposal';
import { targetTypeOptions } from './targetTypeOptions';

export const TARGET_TYPE_PICKER_NAME = 'Vmware2scwTargetTypePicker';

/** The form field whose value is the VM's entity ref (the "Migrate a VM" template calls it `vm`). */
const DEFAULT_ENTITY_REF_FIELD = 'vm';

export const targetTypePickerSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      entityRefField: z
        .string()
        .optional()
        .describe(
          `Name of the form field holding the VM's entity ref (default "${DEFAULT_ENTITY_REF_FIELD}")`,
        ),
      zoneField: z
        .string()
        .optional()
        .describe(
          'Name of the form field holding the Scaleway zone (default: the backend’s zone)',
        ),
    }),
});

type Props = typeof targetTypePickerSchema.TProps;

/**
 * Scaffolder field: the Scaleway commercial type for the VM chosen in another field. Asks the backend for
 * the VM's assessment, preselects the recommended type (cost and reason shown), and offers the others.
 */
export function Vmware2scwTargetTypePicker(props: Props) {
  const { formData, onChange, uiSchema, formContext, schema, rawErrors } =
    props;
  const field =
    uiSchema?.['ui:options']?.entityRefField ?? DEFAULT_ENTITY_REF_FIELD;
  const form = formContext?.formData as Record<string, unknown> | undefined;
  const text = (key?: string) => {
    const v = key ? form?.[key] : undefined;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const entityRef = text(field);
  const zone = text(uiSchema?.['ui:options']?.zoneField);
  const api = useApi(vmware2scwApiRef);
  const assessment = useAsync(
    async () =>
      entityRef
        ? api.getVmAssessment({ entityRef, ...(zone ? { zone } : {}) })
        : undefined,
    [api, entityRef, zone],
  );
  const options = assessment.value ? targetTypeOptions(assessment.value) : [];
  const recommended = options.find(o => o.recommended)?.type;

  // The recommended type is the answer unless the user picks another (or the VM changes).
  useEffect(() => {
    if (recommended && !options.some(o => o.type === formData))
      onChange(recommended);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [recommended, entityRef, zone]);

  const title = schema?.title ?? 'Scaleway instance type';
  return (
    <Flex direction="column" gap="2">
      {!entityRef && (
        <Text color="secondary">
          {title}: choose the VM first (field “{field}”).
        </Text>
      )}
      {assessment.loading && <Skeleton width="100%" height={80} />}
      {assessment.error && (
        <Text color="danger">
          Could not size {entityRef}: {assessment.error.message}
        </Text>
      )}
      {assessment.value && options.length === 0 && (
        <Text color="danger">
          No Scaleway type fits {assessment.value.vm.name} in{' '}
          {assessment.value.zone}.
        </Text>
      )}
      {options.length > 0 && (
        <RadioGroup
          label={title}
          description={schema?.description}
          value={formData ?? null}
          onChange={onChange}
          isInvalid={Boolean(rawErrors?.length)}
        >
          {options.map(o => (
            <Radio key={o.type} value={o.type}>
              <Text>{o.label}</Text>
              <Text as="p" variant="body-small" color="secondary">
                {o.description}
              </Text>
            </Radio>
          ))}
        </RadioGroup>
      )}
      {rawErrors?.map(e => (
        <Text key={e} color="danger">
          {e}
        </Text>
      ))}
      {assessment.value && (
        <Text variant="body-small" color="secondary">
          Prices: {pricingNote(assessment.value.pricing)}
        </Text>
      )}
    </Flex>
  );
}

export const targetTypePickerFormField: FormField = createFormField({
  name: TARGET_TYPE_PICKER_NAME,
  component: Vmware2scwTargetTypePicker,
  schema: targetTypePickerSchema,
});
