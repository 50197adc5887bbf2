import { useState } from 'react';
import {
  createFormField,
  type FormField,
} from '@backstage/plugin-scaffolder-react/alpha';
import {
  makeFieldSchema,
  type CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';
import { validateVmFilters } from '@internal/plugin-vmware2scw-common';
import { filterLines, useVmMatches } from '../../hooks/useVmMatches';
import { VmFilterInput } from '../shared/VmFilterInput';
import { VmMatchTable } from '../shared/VmMatchTable';

export const VM_FILTERS_NAME = 'Vmware2scwVmFilters';

export const vmFiltersSchema = makeFieldSchema({
  output: z => z.array(z.string()),
  uiOptions: z =>
    z.object({
      showVms: z
        .boolean()
        .optional()
        .describe('List the first matching VMs under the count (default true)'),
    }),
});

type Props = typeof vmFiltersSchema.TProps;

/** Scaffolder field: the old tool's VM filters, with a live count (and list) of the VMs they select. */
export function Vmware2scwVmFilters(props: Props) {
  const { formData, onChange, uiSchema, schema } = props;
  // The text as typed (blank lines kept while editing); the value is its non-empty lines.
  const [text, setText] = useState(() => (formData ?? []).join('\n'));
  const matches = useVmMatches(filterLines(text), 20);
  const showVms = uiSchema?.['ui:options']?.showVms ?? true;
  return (
    <>
      <VmFilterInput
        label={schema?.title ?? 'VM filters'}
        text={text}
        onChange={t => {
          setText(t);
          onChange(filterLines(t));
        }}
        matches={matches}
      />
      {showVms && matches.result && <VmMatchTable result={matches.result} />}
    </>
  );
}

/** Refuses a malformed filter before the template runs, with the parser's own message. */
export const validateVmFiltersField: CustomFieldValidator<string[]> = (
  filters,
  validation,
) => {
  for (const p of validateVmFilters({ filters: filters ?? [] }))
    if (p.severity === 'error')
      validation.addError(`${p.message} ${p.remediation}`);
};

export const vmFiltersFormField: FormField = createFormField({
  name: VM_FILTERS_NAME,
  component: Vmware2scwVmFilters,
  schema: vmFiltersSchema,
  validation: validateVmFiltersField,
});
