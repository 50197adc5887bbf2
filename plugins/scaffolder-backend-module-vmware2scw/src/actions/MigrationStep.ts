import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type {
  ApiModel,
  Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';
import { callApi } from '../api/ActionFailure';
import { systemClock } from '../follow/Clock';
import {
  assertNotCancelled,
  followMigration,
} from '../follow/followMigration';
import { ProgressLog } from '../follow/ProgressLog';
import type { ActionDeps } from './ActionDeps';

/** How the `migrationId` input of the actions that drive a migration reads. */
export const MIGRATION_ID_DESCRIPTION =
  'Id of the migration (output migrationId of vmware2scw:migration:create)';

/**
 * One run of a step that drives a migration (a stage action, migration:run): reads it on behalf of the
 * initiator, asks the engine for something at most once per checkpoint key, then follows it with its
 * progress in the task log.
 */
export class MigrationStep {
  private constructor(
    private readonly ctx: Pick<
      ActionContext<{}>,
      'checkpoint' | 'signal' | 'logger'
    >,
    private readonly deps: ActionDeps,
    readonly api: Vmware2scwApiCalls,
    readonly migrationId: string,
    private readonly progress: ProgressLog,
  ) {}

  /** Reads the migration; its stages as they are now are the baseline of the progress log. */
  static async open(
    ctx: Pick<
      ActionContext<{}>,
      'checkpoint' | 'signal' | 'logger' | 'getInitiatorCredentials'
    >,
    deps: ActionDeps,
    migrationId: string,
  ): Promise<{ step: MigrationStep; migration: ApiModel.Migration }> {
    const api = deps.api.as(await ctx.getInitiatorCredentials());
    const progress = new ProgressLog(
      ctx.logger,
      deps.clock ?? systemClock,
      deps.settings,
    );
    const migration = await callApi(
      ctx.logger,
      `reading migration ${migrationId}`,
      () => api.getMigration({ migrationId }),
    );
    progress.observe(migration);
    return {
      step: new MigrationStep(ctx, deps, api, migrationId, progress),
      migration,
    };
  }

  get logger(): LoggerService {
    return this.ctx.logger;
  }

  /**
   * Asks the engine for something once: a retried or recovered task finds the checkpoint under `key`
   * and does not ask again. A task already cancelled asks nothing.
   */
  async askOnce(
    key: string,
    doing: string,
    call: (api: Vmware2scwApiCalls) => Promise<ApiModel.Migration>,
  ): Promise<void> {
    assertNotCancelled(this.ctx.signal, this.ctx.logger, doing);
    await this.ctx.checkpoint({
      key,
      fn: async () => {
        const after = await callApi(this.ctx.logger, doing, () =>
          call(this.api),
        );
        return { state: after.state };
      },
    });
  }

  /** Follows the migration until `isOver`; cancelling the task cancels its running stage. */
  follow(
    awaiting: string,
    isOver: (m: ApiModel.Migration) => boolean,
  ): Promise<ApiModel.Migration> {
    return followMigration({
      api: this.api,
      migrationId: this.migrationId,
      awaiting,
      logger: this.ctx.logger,
      progress: this.progress,
      settings: this.deps.settings,
      clock: this.deps.clock ?? systemClock,
      signal: this.ctx.signal,
      isOver,
    });
  }
}
