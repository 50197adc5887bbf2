import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type {
  ApiModel,
  Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';
import { ActionFailure, callApi } from '../api/ActionFailure';
import { systemClock, type Clock } from '../follow/Clock';
import { assertNotCancelled, followMigration } from '../follow/followMigration';
import { ProgressLog } from '../follow/ProgressLog';
import type { ActionDeps } from './ActionDeps';

/** How the `migrationId` input of the actions that drive a migration reads. */
export const MIGRATION_ID_DESCRIPTION =
  'Id of the migration (output migrationId of vmware2scw:migration:create)';

/** A token this close to its end is treated as ended: a call may take that long. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * One run of a step that drives a migration (a stage action, migration:run): reads it on behalf of the
 * initiator, asks the engine for something at most once per checkpoint key, then follows it with its
 * progress in the task log.
 *
 * The initiator's credentials end with their Backstage token (`auth.backstageTokenExpiration`, 1 hour
 * by default) while a migration may run for hours: past that, the step follows the migration with the
 * scaffolder's own identity (reads are open to it) and refuses to ask for more on the initiator's
 * behalf, saying how to go on.
 */
export class MigrationStep {
  private warnedExpiry = false;

  private constructor(
    private readonly ctx: Pick<
      ActionContext<{}>,
      'checkpoint' | 'signal' | 'logger'
    >,
    private readonly deps: ActionDeps,
    private readonly initiator: {
      credentials: BackstageCredentials;
      api: Vmware2scwApiCalls;
    },
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
    const credentials = await ctx.getInitiatorCredentials();
    const progress = new ProgressLog(ctx.logger, clockOf(deps), deps.settings);
    const step = new MigrationStep(
      ctx,
      deps,
      { credentials, api: deps.api.as(credentials) },
      migrationId,
      progress,
    );
    const migration = await callApi(
      ctx.logger,
      `reading migration ${migrationId}`,
      () => step.reader().getMigration({ migrationId }),
    );
    progress.observe(migration);
    return { step, migration };
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
        if (this.initiatorExpired()) {
          const failure = new ActionFailure(doing, {
            code: 'INITIATOR_TOKEN_EXPIRED',
            message: `the Backstage token of the person who ran the template ended at ${this.expiresAt()?.toISOString()}, and the engine only takes requests on someone's behalf`,
            remediation:
              'Retry the task: it goes on with your fresh token, repeating no step already done. For migrations longer than the token, run them in a wave (the engine runs it once approved) or raise auth.backstageTokenExpiration.',
          });
          failure.report(this.ctx.logger);
          throw failure;
        }
        const after = await callApi(this.ctx.logger, doing, () =>
          call(this.initiator.api),
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
      api: {
        getMigration: (...args) => this.reader().getMigration(...args),
        cancelMigration: (...args) =>
          this.initiator.api.cancelMigration(...args),
      },
      migrationId: this.migrationId,
      awaiting,
      logger: this.ctx.logger,
      progress: this.progress,
      settings: this.deps.settings,
      clock: clockOf(this.deps),
      signal: this.ctx.signal,
      isOver,
    });
  }

  /** Who reads: the initiator while their token lasts, then the scaffolder itself. */
  private reader(): Vmware2scwApiCalls {
    if (!this.initiatorExpired()) return this.initiator.api;
    if (!this.warnedExpiry) {
      this.warnedExpiry = true;
      this.ctx.logger.warn(
        `The Backstage token of the person who ran the template ended at ${this.expiresAt()?.toISOString()}: following the migration with the scaffolder's own identity.`,
      );
    }
    return this.deps.api.as();
  }

  private expiresAt(): Date | undefined {
    // Credentials come back from the task's secrets as JSON: the date is then a string.
    const value = this.initiator.credentials.expiresAt as
      | Date
      | string
      | undefined;
    return value === undefined ? undefined : new Date(value);
  }

  private initiatorExpired(): boolean {
    const at = this.expiresAt()?.getTime();
    return (
      at !== undefined &&
      !Number.isNaN(at) &&
      clockOf(this.deps).now() >= at - EXPIRY_MARGIN_MS
    );
  }
}

function clockOf(deps: ActionDeps): Clock {
  return deps.clock ?? systemClock;
}
