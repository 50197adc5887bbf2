import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { STAGE_IDS, stageActionId } from '@internal/plugin-vmware2scw-common';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { FakeVmware2scwEngine } from './__testUtils__/FakeVmware2scwEngine';
import { createMigrationCreateAction } from './actions/migrationCreate';
import { createMigrationRunAction } from './actions/migrationRun';
import { createPlanCreateAction } from './actions/planCreate';
import { createPlanEstimateAction } from './actions/planEstimate';
import { createPreflightAction } from './actions/preflight';
import { createStageActions } from './actions/stageActions';
import { createWaveRequestApprovalAction } from './actions/waveRequestApproval';
import { DEFAULT_ACTION_SETTINGS } from './settings/ActionSettings';

const root = path.resolve(__dirname, '../../..');
const dir = path.join(root, 'examples/templates');
const files = fs.readdirSync(dir).filter(f => f.endsWith('.yaml'));
const templates = new Map(
  files.map(f => [
    f,
    yaml.parse(
      fs.readFileSync(path.join(dir, f), 'utf8'),
    ) as TemplateEntityV1beta3,
  ]),
);

const deps = {
  api: new FakeVmware2scwEngine([]).api(),
  settings: DEFAULT_ACTION_SETTINGS,
};
const actions = new Map<string, TemplateAction<any, any, any>>(
  [
    createPreflightAction(deps),
    createMigrationCreateAction(deps),
    ...createStageActions(deps),
    createMigrationRunAction(deps),
    createPlanCreateAction(deps),
    createPlanEstimateAction(deps),
    createWaveRequestApprovalAction({
      ...deps,
      notifications: { send: jest.fn() },
    }),
  ].map(a => [a.id, a]),
);

describe('examples/templates', () => {
  it('has the three templates, each registered in app-config.yaml', () => {
    expect([...templates.values()].map(t => t.metadata.name).sort()).toEqual([
      'migrate-vm-to-scaleway',
      'plan-migration-from-filters',
      'request-wave-approval',
    ]);
    const appConfig = yaml.parse(
      fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
    );
    const registered = appConfig.catalog.locations
      .filter((l: { rules?: Array<{ allow: string[] }> }) =>
        l.rules?.some(r => r.allow.includes('Template')),
      )
      .map((l: { target: string }) => path.basename(l.target))
      .sort();
    expect(registered).toEqual([...files].sort());
  });

  it.each(files)(
    '%s is a valid Template using only vmware2scw actions, with inputs they declare',
    async file => {
      const t = templates.get(file)!;
      await expect(templateEntityV1beta3Validator.check(t)).resolves.toBe(true);
      for (const step of t.spec.steps) {
        const action = actions.get(step.action);
        expect(action).toBeDefined();
        const declared = Object.keys(
          (action!.schema?.input as { properties?: object })?.properties ?? {},
        );
        for (const key of Object.keys(step.input ?? {}))
          expect(declared).toContain(key);
      }
    },
  );

  it('runs every stage action in pipeline order, each when it is in the VM’s pipeline', () => {
    const steps = templates.get('migrate-vm-to-scaleway.yaml')!.spec.steps;
    const stageSteps = steps.filter(s =>
      STAGE_IDS.some(id => stageActionId(id) === s.action),
    );
    expect(stageSteps.map(s => s.action)).toEqual(STAGE_IDS.map(stageActionId));
    for (const s of stageSteps) {
      expect(s.if).toBe(
        `\${{ '${s.action}' in steps.create.output.stageActions }}`,
      );
      expect(s.input).toEqual({
        migrationId: '${{ steps.create.output.migrationId }}',
      });
    }
    expect(steps.findIndex(s => s.id === 'create')).toBeLessThan(
      steps.indexOf(stageSteps[0]),
    );
  });

  it('picks the VM among the catalog’s VMs under the field name a VM page pre-fills', () => {
    const [first] = templates.get('migrate-vm-to-scaleway.yaml')!.spec
      .parameters as Array<{ properties: Record<string, any> }>;
    expect(first.properties.vm).toMatchObject({
      'ui:field': 'EntityPicker',
      'ui:options': {
        catalogFilter: [{ kind: 'Resource', 'spec.type': 'virtual-machine' }],
      },
    });
    expect(first.properties.targetType).toMatchObject({
      'ui:field': 'Vmware2scwTargetTypePicker',
      'ui:options': { entityRefField: 'vm' },
    });
  });
});
