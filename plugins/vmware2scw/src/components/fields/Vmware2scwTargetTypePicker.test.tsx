import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ComponentProps } from 'react';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../api';
import { assessment, VM_REF } from '../../__fixtures__/apiModels';
import { fakeVmware2scwApi, never } from '../../__fixtures__/fakeApi';
import { Vmware2scwTargetTypePicker } from './Vmware2scwTargetTypePicker';

type Props = ComponentProps<typeof Vmware2scwTargetTypePicker>;

/** The props rjsf gives a field, for the parts the picker reads. */
function fieldProps(p: {
  formData?: string;
  onChange: (v?: string) => void;
  form: Record<string, unknown>;
  entityRefField?: string;
  zoneField?: string;
}): Props {
  return {
    formData: p.formData,
    onChange: p.onChange,
    uiSchema: {
      'ui:options': {
        entityRefField: p.entityRefField,
        zoneField: p.zoneField,
      },
    },
    formContext: { formData: p.form },
    schema: { title: 'Instance type' },
    rawErrors: [],
    idSchema: { $id: 'root_targetType' },
  } as unknown as Props;
}

function renderPicker(calls: Partial<Vmware2scwClientApi>, props: Props) {
  return renderInTestApp(<Vmware2scwTargetTypePicker {...props} />, {
    apis: [[vmware2scwApiRef, fakeVmware2scwApi(calls)]],
  });
}

describe('Vmware2scwTargetTypePicker', () => {
  it('waits for the VM to be chosen', async () => {
    await renderPicker({}, fieldProps({ onChange: jest.fn(), form: {} }));
    expect(
      screen.getByText('Instance type: choose the VM first (field “vm”).'),
    ).toBeInTheDocument();
  });

  it('preselects the recommended type with its cost and reason, and lets the user pick another', async () => {
    const getVmAssessment = jest.fn(async () => assessment);
    const onChange = jest.fn();
    await renderPicker(
      { getVmAssessment },
      fieldProps({ onChange, form: { vm: VM_REF } }),
    );
    expect(
      await screen.findByRole('radio', {
        name: /POP2-4C-16G · €119.84\/month \(recommended\)/,
      }),
    ).toBeInTheDocument();
    expect(getVmAssessment).toHaveBeenCalledWith({ entityRef: VM_REF });
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('POP2-4C-16G'));
    expect(
      screen.getByText(
        '4 vCPU, 16 GiB · exact sizing: Smallest type with at least 4 vCPU and 16 GiB.',
      ),
    ).toBeInTheDocument();
    // The cost strategy's pick, then the alternatives, each once.
    expect(
      screen.getAllByRole('radio').map(r => r.getAttribute('value')),
    ).toEqual(['POP2-4C-16G', 'POP2-HM-2C-16G', 'PRO2-S']);
    await userEvent.click(screen.getByRole('radio', { name: /PRO2-S/ }));
    expect(onChange).toHaveBeenLastCalledWith('PRO2-S');
  });

  it('reads the VM and the zone from the fields named in ui:options and keeps a type the user chose', async () => {
    const getVmAssessment = jest.fn(async () => assessment);
    const onChange = jest.fn();
    await renderPicker(
      { getVmAssessment },
      fieldProps({
        onChange,
        formData: 'PRO2-S',
        form: { sourceVm: VM_REF, zone: 'nl-ams-1' },
        entityRefField: 'sourceVm',
        zoneField: 'zone',
      }),
    );
    expect(await screen.findByRole('radio', { name: /PRO2-S/ })).toBeChecked();
    expect(getVmAssessment).toHaveBeenCalledWith({
      entityRef: VM_REF,
      zone: 'nl-ams-1',
    });
    expect(onChange).not.toHaveBeenCalled();
  });

  it('says when the VM cannot be sized', async () => {
    const { unmount } = await renderPicker(
      { getVmAssessment: never },
      fieldProps({ onChange: jest.fn(), form: { vm: VM_REF } }),
    );
    expect(screen.queryByRole('radio')).not.toBeInTheDocument();
    unmount();
    await renderPicker(
      {
        getVmAssessment: async () => {
          throw new Error('VM has no inventory in the catalog');
        },
      },
      fieldProps({ onChange: jest.fn(), form: { vm: VM_REF } }),
    );
    expect(
      await screen.findByText(
        `Could not size ${VM_REF}: VM has no inventory in the catalog`,
      ),
    ).toBeInTheDocument();
  });
});
