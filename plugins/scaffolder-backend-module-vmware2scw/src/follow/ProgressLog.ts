import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  STAGES,
  type ApiModel,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type { ActionSettings } from '../settings/ActionSettings';
import type { Clock } from './Clock';
import {
  formatBytes,
  formatDuration,
  percentOf,
  progressLine,
} from './progressText';

interface Seen {
  state: ApiModel.StageRunState;
  attempt: number;
  /** When this log first saw the stage running (its own clock, not the engine's). */
  runningSince: number;
  lastLineAt: number;
  lastPercent: number;
  phase?: string;
}

/**
 * Turns successive reads of a migration into task-log lines: each stage that starts or ends, and the
 * running stage's progress at a readable rate (a line every `progressIntervalMs` or every
 * `progressPercentStep` percent, whichever comes first), never a line per read. Failures are left to
 * the caller, which reports them with their remediation.
 */
export class ProgressLog {
  private readonly seen = new Map<StageId, Seen>();
  private migrationState?: ApiModel.MigrationState;

  constructor(
    private readonly logger: LoggerService,
    private readonly clock: Clock,
    private readonly settings: Pick<
      ActionSettings,
      'progressIntervalMs' | 'progressPercentStep'
    >,
  ) {}

  observe(m: ApiModel.Migration): void {
    const now = this.clock.now();
    const first = this.migrationState === undefined;

    for (const run of m.stages) {
      const prev = this.seen.get(run.stage);
      const percent = run.progress ? percentOf(run.progress) ?? 0 : 0;
      const changed =
        !prev || prev.state !== run.state || prev.attempt !== run.attempt;
      const next: Seen = {
        state: run.state,
        attempt: run.attempt,
        runningSince: changed || !prev ? now : prev.runningSince,
        lastLineAt: prev?.lastLineAt ?? now,
        lastPercent: prev?.lastPercent ?? percent,
        phase: run.progress?.phase,
      };
      // The first read only sets the baseline, except for a stage already running: say where it is.
      if (changed && (!first || run.state === 'running')) {
        const line = transitionLine(run, !prev);
        if (line) this.logger.info(line);
        next.lastLineAt = now;
        next.lastPercent = percent;
      } else if (run.state === 'running' && this.due(prev, run, now, percent)) {
        this.logger.info(
          run.progress
            ? progressLine(run)
            : `${STAGES[run.stage].title}: still running (${formatDuration(
                (now - next.runningSince) / 1000,
              )})`,
        );
        next.lastLineAt = now;
        next.lastPercent = percent;
      }
      this.seen.set(run.stage, next);
    }
    // After the stages: "Clean up succeeded" reads before "Migration of web-01 succeeded".
    if (!first && m.state !== this.migrationState) {
      const line = migrationStateLine(m);
      if (line) this.logger.info(line);
    }
    this.migrationState = m.state;
  }

  private due(
    prev: Seen | undefined,
    run: ApiModel.StageRun,
    now: number,
    percent: number,
  ): boolean {
    if (!prev) return false;
    const { progressIntervalMs, progressPercentStep } = this.settings;
    if (!run.progress)
      // Nothing measurable (validate, verify): a shorter log, a line now and then to show it is alive.
      return now - prev.lastLineAt >= 4 * progressIntervalMs;
    return (
      now - prev.lastLineAt >= progressIntervalMs ||
      percent - prev.lastPercent >= progressPercentStep ||
      run.progress.phase !== prev.phase
    );
  }
}

function transitionLine(
  run: ApiModel.StageRun,
  firstSight: boolean,
): string | undefined {
  const title = STAGES[run.stage].title;
  switch (run.state) {
    case 'running':
      return firstSight && run.progress
        ? progressLine(run)
        : `${title} started (attempt ${run.attempt}${
            run.runnerId ? `, on runner ${run.runnerId}` : ''
          })`;
    case 'succeeded':
      return `${title} succeeded${
        run.durationSeconds === undefined
          ? ''
          : ` in ${formatDuration(run.durationSeconds)}`
      }${run.bytes ? ` (${formatBytes(run.bytes)})` : ''}`;
    case 'skipped':
      return `${title} skipped${
        run.skippedReason ? `: ${run.skippedReason}` : ''
      }`;
    case 'cancelled':
      return `${title} cancelled`;
    default:
      // pending (a retry reset it) says nothing; failed is reported by the caller with its remediation.
      return undefined;
  }
}

/**
 * What a change of the migration's state means for the person reading the log, when it says more than
 * the stage lines: running and waiting (between two stage steps) say nothing new, and a failure or a
 * cancellation is reported by the caller with its remediation.
 */
function migrationStateLine(m: ApiModel.Migration): string | undefined {
  const vm = `Migration of ${m.vmName}`;
  switch (m.state) {
    case 'pending':
      return m.waveName
        ? `${vm} waits for wave ${m.waveName} to be approved`
        : `${vm} is pending`;
    case 'queued':
      return `${vm} is queued for a free worker or runner`;
    case 'succeeded':
      return `${vm} succeeded`;
    default:
      return undefined;
  }
}
