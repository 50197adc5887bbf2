import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vmware2scwApiRef, type Vmware2scwClientApi } from '../../../api';
import { estimate, plans } from '../../../__fixtures__/apiModels';
import { fakeVmware2scwApi } from '../../../__fixtures__/fakeApi';
import { PlanUpload } from './PlanUpload';

const BAD_PLAN = `version: 1
defaults:
  zone: fr-par-1
migrations:
  - vm: web-prod-01
    target_type: POP2-4C-16
`;

function renderUpload(calls: Partial<Vmware2scwClientApi>) {
  const onCreated = jest.fn();
  renderInTestApp(<PlanUpload onCreated={onCreated} />, {
    apis: [[vmware2scwApiRef, fakeVmware2scwApi(calls)], mockApis.permission()],
  });
  return { onCreated };
}

async function upload(text: string, name = 'web-tier.yaml') {
  const input = (await screen.findByLabelText(/Plan file/)) as HTMLInputElement;
  const file = new File([text], name, { type: 'application/yaml' });
  // jsdom's File has no text(); the browser's has.
  Object.assign(file, { text: async () => text });
  fireEvent.change(input, { target: { files: [file] } });
}

describe('PlanUpload', () => {
  it('validates an uploaded plan and shows each problem at its line', async () => {
    const validatePlan = jest.fn(async () => ({
      valid: false,
      problems: [
        {
          code: 'PLAN_UNKNOWN_TARGET_TYPE',
          severity: 'error' as const,
          message:
            'plan.yaml:6:18: migrations[0].target_type: POP2-4C-16 is not offered in fr-par-1',
          remediation: 'Use a commercial type of the zone, e.g. POP2-4C-16G.',
          line: 6,
          column: 18,
          field: 'migrations[0].target_type',
          suggestion: 'POP2-4C-16G',
        },
      ],
    }));
    renderUpload({ validatePlan });
    await upload(BAD_PLAN);
    await waitFor(() =>
      expect(validatePlan).toHaveBeenCalledWith({ yaml: BAD_PLAN }),
    );
    expect(
      await screen.findByText('1 error(s): the plan cannot be stored as is.'),
    ).toBeInTheDocument();
    const problems = screen.getByRole('list', { name: 'Problems' });
    expect(problems).toHaveTextContent(
      'line 6, column 18 (migrations[0].target_type)',
    );
    expect(problems).toHaveTextContent('Did you mean POP2-4C-16G?');
    // The editor holds the file, with the problem marked on line 6.
    const editor = screen.getByRole('group', { name: 'Plan YAML' });
    expect(editor).toHaveTextContent('target_type: POP2-4C-16');
    await waitFor(() =>
      expect(editor.querySelector('.cm-lintRange-error')).not.toBeNull(),
    );
    expect(screen.getByLabelText('Name to store it under')).toHaveValue(
      'web-tier',
    );
    expect(screen.getByRole('button', { name: 'Save plan' })).toBeDisabled();
  });

  it('stores a valid plan, and estimates it first if asked', async () => {
    const createPlan = jest.fn(async () => ({
      ...plans[0],
      yaml: BAD_PLAN,
      plan: {},
      problems: [],
    }));
    const estimatePlanYaml = jest.fn(async () => estimate);
    const { onCreated } = renderUpload({
      validatePlan: async () => ({
        valid: true,
        problems: [],
        vmCount: 1,
        waves: [{ name: 'default', vmCount: 1 }],
      }),
      estimatePlanYaml,
      createPlan,
    });
    await upload(BAD_PLAN);
    expect(
      await screen.findByText('Valid: 1 VMs in 1 wave(s) (default: 1).'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Estimate' }));
    expect(
      await screen.findByRole('region', { name: 'Totals' }),
    ).toHaveTextContent('€330.98/month');
    await userEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    expect(createPlan).toHaveBeenCalledWith({
      name: 'web-tier',
      yaml: BAD_PLAN,
    });
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
  });

  it('shows the problems the backend refused the save with', async () => {
    renderUpload({
      validatePlan: async () => ({ valid: true, problems: [] }),
      createPlan: async () => {
        throw Object.assign(new Error('Bad Request'), {
          body: {
            error: {
              name: 'InputError',
              message: 'plan web-tier is invalid',
              code: 'PLAN_INVALID',
              remediation: 'Fix the problems listed, then save again.',
              problems: [
                {
                  code: 'PLAN_DUPLICATE_VM',
                  severity: 'error',
                  message: 'web-prod-01 is in two waves',
                  remediation: 'Keep it in one wave.',
                  line: 5,
                  column: 5,
                },
              ],
            },
            response: { statusCode: 400 },
          },
        });
      },
    });
    await upload(BAD_PLAN);
    await screen.findByText(/^Valid/);
    await userEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    expect(
      await screen.findByText(
        'Save plan failed: plan web-tier is invalid (PLAN_INVALID)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByRole('list', { name: 'Problems' })[0],
    ).toHaveTextContent('line 5, column 5 web-prod-01 is in two waves');
  });
});
