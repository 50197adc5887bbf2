import { useState } from 'react';
import { Flex, TextField } from '@backstage/ui';
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

/** The value: the old tool's filters and bounds, as `POST /plans/from-filters` takes them (VmFilterSpec). */
export const vmFiltersSchema = makeFieldSchema({
  output: z =>
    z.object({
      filters: z.array(z.string()).optional(),
      minCpu: z.number().optional(),
      maxCpu: z.number().optional(),
      minRamGb: z.number().optional(),
      maxDiskGb: z.number().optional(),
    }),
  uiOptions: z =>
    z.object({
      showVms: z
        .boolean()
        .optional()
        .describe('List the first matching VMs under the count (default true)'),
    }),
});

type Props = typeof vmFiltersSchema.TProps;
type Spec = typeof vmFiltersSchema.TOutput;
type Bound = Exclude<keyof Spec, 'filters'>;

const BOUNDS: { key: Bound; label: string }[] = [
  { key: 'minCpu', label: 'Min vCPU' },
  { key: 'maxCpu', label: 'Max vCPU' },
  { key: 'minRamGb', label: 'Min RAM (GB)' },
  { key: 'maxDiskGb', label: 'Max disk (GB)' },
];

/** Scaffolder field: the old tool's VM filters and bounds, with a live count (and list) of the VMs they select. */
export function Vmware2scwVmFilters(props: Props) {
  const { formData, onChange, uiSchema, schema } = props;
  const spec: Spec = formData ?? {};
  // The text as typed (blank lines kept while editing); the value is its non-empty lines.
  const [text, setText] = useState(() => (spec.filters ?? []).join('\n'));
  const { filters: _lines, ...bounds } = spec;
  const matches = useVmMatches(filterLines(text), 20, bounds);
  const showVms = uiSchema?.['ui:options']?.showVms ?? true;
  const setBound = (key: Bound, raw: string) => {
    const n = raw.trim() === '' ? undefined : Number(raw);
    onChange({
      ...spec,
      [key]: n !== undefined && Number.isFinite(n) ? n : undefined,
    });
  };
  return (
    <Flex direction="column" gap="2">
      <VmFilterInput
        label={schema?.title ?? 'VM filters'}
        text={text}
        onChange={t => {
          setText(t);
          onChange({ ...spec, filters: filterLines(t) });
        }}
        matches={matches}
      />
      <Flex gap="2">
        {BOUNDS.map(b => (
          <TextField
            key={b.key}
            label={b.label}
            inputMode="numeric"
            value={spec[b.key] === undefined ? '' : String(spec[b.key])}
            onChange={v => setBound(b.key, v)}
          />
        ))}
      </Flex>
      {showVms && matches.result && <VmMatchTable result={matches.result} />}
    </Flex>
  );
}

/** Refuses a malformed filter before the template runs, with the parser's own message. */
export const validateVmFiltersField: CustomFieldValidator<Spec> = (
  spec,
  validation,
) => {
  for (const p of validateVmFilters({ filters: [], ...spec }))
    if (p.severity === 'error')
      validation.addError(`${p.message} ${p.remediation}`);
};

export const vmFiltersFormField: FormField = createFormField({
  name: VM_FILTERS_NAME,
  component: Vmware2scwVmFilters,
  schema: vmFiltersSchema,
  validation: validateVmFiltersField,
});
