import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ApiModel,
  Vmware2scwApiCalls,
} from '@internal/plugin-vmware2scw-common';
import { ActionFailure, callApi } from '../api/ActionFailure';
import { plainJson } from '../api/plainJson';
import type { ActionSettings } from '../settings/ActionSettings';
import type { Clock } from './Clock';
import { formatDuration } from './progressText';
import type { ProgressLog } from './ProgressLog';

/** Reads in a row that may fail for a passing reason (backend restart, network) before the step gives up. */
const MAX_TRANSIENT_FAILURES = 20;

export interface FollowRequest {
  api: Pick<Vmware2scwApiCalls, 'getMigration' | 'cancelMigration'>;
  migrationId: string;
  /** What is awaited, for messages: "Export of web-01". */
  awaiting: string;
  logger: LoggerService;
  progress: ProgressLog;
  settings: Pick<ActionSettings, 'pollIntervalMs' | 'maxWaitMs'>;
  clock: Clock;
  /** The task's cancellation: the running stage is cancelled through the API. */
  signal?: AbortSignal;
  /** True when the wait is over; throws an ActionFailure when it ended badly. */
  isOver(m: ApiModel.Migration): boolean;
}

/**
 * Follows a migration by reading it every `pollIntervalMs` until `isOver` says so, logging progress.
 * Cancelling the task cancels the migration's running stage; the step gives up (and its worker slot)
 * after `maxWaitMs`, leaving the engine to go on.
 */
export async function followMigration(
  req: FollowRequest,
): Promise<ApiModel.Migration> {
  const { api, migrationId, logger, clock, signal, settings } = req;
  const started = clock.now();
  let failures = 0;
  for (;;) {
    if (signal?.aborted) return cancel(req);
    let m: ApiModel.Migration;
    try {
      m = plainJson(await api.getMigration({ migrationId }, { signal }));
    } catch (error) {
      if (signal?.aborted) return cancel(req);
      const failure = ActionFailure.ofCall(
        error,
        `reading migration ${migrationId}`,
      );
      failures += 1;
      if (!failure.transient || failures > MAX_TRANSIENT_FAILURES) {
        failure.report(logger);
        throw failure;
      }
      logger.warn(`${failure.message}; reading it again`);
      await clock.sleep(settings.pollIntervalMs, signal);
      continue;
    }
    failures = 0;
    req.progress.observe(m);
    try {
      if (req.isOver(m)) return m;
    } catch (error) {
      const failure = ActionFailure.ofCall(error, req.awaiting);
      failure.report(logger);
      throw failure;
    }
    if (clock.now() - started >= settings.maxWaitMs) {
      const failure = new ActionFailure(req.awaiting, {
        code: 'STEP_WAIT_EXCEEDED',
        message: `still not over after ${formatDuration(
          settings.maxWaitMs / 1000,
        )}; the step gives its worker slot back and the engine goes on`,
        remediation:
          "Follow the migration on the VM's page; retry the task to follow it again from this step, or raise scaffolder.vmware2scw.maxWait.",
      });
      failure.report(logger);
      throw failure;
    }
    await clock.sleep(settings.pollIntervalMs, signal);
  }
}

async function cancel(req: FollowRequest): Promise<never> {
  const { api, migrationId, logger } = req;
  logger.warn(
    `The task was cancelled: asking the engine to cancel migration ${migrationId} (${req.awaiting})`,
  );
  await callApi(logger, `cancelling migration ${migrationId}`, () =>
    api.cancelMigration({ migrationId }),
  );
  throw taskCancelled(
    logger,
    req.awaiting,
    'cancelled with the task; the engine stopped the running stage',
  );
}

/** Before asking the engine for anything: a task already cancelled fails the step without a call. */
export function assertNotCancelled(
  signal: AbortSignal | undefined,
  logger: LoggerService,
  awaiting: string,
): void {
  if (signal?.aborted)
    throw taskCancelled(
      logger,
      awaiting,
      'the task was cancelled before this step asked the engine for anything',
    );
}

function taskCancelled(
  logger: LoggerService,
  awaiting: string,
  message: string,
): ActionFailure {
  const failure = new ActionFailure(awaiting, {
    code: 'TASK_CANCELLED',
    message,
    remediation:
      "The VM stays resumable: retry the task, or retry the migration from the VM's page.",
  });
  failure.report(logger);
  return failure;
}
