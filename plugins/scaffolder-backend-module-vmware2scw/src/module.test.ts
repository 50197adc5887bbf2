import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  type TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { STAGE_IDS, stageActionId } from '@internal/plugin-vmware2scw-common';
import { scaffolderModuleVmware2scw } from './module';

describe('scaffolderModuleVmware2scw', () => {
  it('registers every vmware2scw action, each documented for the installed-actions page', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          {
            addActions: (...added: TemplateAction<any, any, any>[]) =>
              actions.push(...added),
          },
        ],
      ],
      features: [
        scaffolderModuleVmware2scw,
        mockServices.rootConfig.factory({
          data: { scaffolder: { vmware2scw: { maxWait: { hours: 2 } } } },
        }),
      ],
    });

    expect(actions.map(a => a.id).sort()).toEqual(
      [
        'vmware2scw:preflight',
        'vmware2scw:migration:create',
        'vmware2scw:migration:run',
        'vmware2scw:plan:create',
        'vmware2scw:plan:estimate',
        'vmware2scw:wave:request-approval',
        ...STAGE_IDS.map(stageActionId),
      ].sort(),
    );
    for (const a of actions) {
      expect(a.description).toBeTruthy();
      expect(a.examples?.length).toBeGreaterThan(0);
      expect(a.supportsDryRun).toBe(true);
      expect(a.schema?.input).toMatchObject({ type: 'object' });
      expect(a.schema?.output).toMatchObject({ type: 'object' });
    }
  });

  it('refuses to start on a setting it cannot use, naming it', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions() {} }],
        ],
        features: [
          scaffolderModuleVmware2scw,
          mockServices.rootConfig.factory({
            data: { scaffolder: { vmware2scw: { maxWait: { seconds: 5 } } } },
          }),
        ],
      }),
    ).rejects.toThrow(
      /scaffolder\.vmware2scw\.maxWait must be at least 60 second/,
    );
  });
});
