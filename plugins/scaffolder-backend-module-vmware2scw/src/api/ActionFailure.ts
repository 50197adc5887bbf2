import type { LoggerService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { plainJson } from './plainJson';
import {
  Vmware2scwError,
  type ApiModel,
  type ErrorBody,
} from '@internal/plugin-vmware2scw-common';

/**
 * Why a vmware2scw step failed: a call to the API that was refused, or a stage the engine reports as
 * failed. It carries the API's `code` and `remediation` so that the task log shows what to do, not
 * only what went wrong.
 */
export class ActionFailure extends Vmware2scwError {
  /** What the step was doing ("creating the migration of resource:default/web-01"), for the log. */
  readonly doing: string;

  // No `cause`: its text would be appended to the message, repeating what the message already says.
  constructor(doing: string, body: ErrorBody) {
    super({
      code: body.code,
      message: `${doing}: ${body.message} [${body.code}]`,
      remediation: body.remediation,
      details: body.details,
    });
    this.doing = doing;
  }

  /** A thrown value from a call to the API as a failure of `doing`. */
  static ofCall(error: unknown, doing: string): ActionFailure {
    if (error instanceof ActionFailure) return error;
    if (error instanceof ResponseError) {
      const remote = error.body.error as ApiModel.ErrorResponse['error'];
      return new ActionFailure(doing, {
        code:
          typeof remote.code === 'string' && remote.code
            ? remote.code
            : `HTTP_${error.statusCode}`,
        message: remote.message,
        remediation:
          typeof remote.remediation === 'string' && remote.remediation
            ? remote.remediation
            : remediationForStatus(error.statusCode),
        details: {
          statusCode: error.statusCode,
          ...(remote.problems ? { problems: remote.problems } : {}),
        },
      });
    }
    if (error instanceof Vmware2scwError)
      return new ActionFailure(doing, error.toBody());
    return new ActionFailure(doing, {
      code: 'VMWARE2SCW_API_UNREACHABLE',
      message: error instanceof Error ? error.message : String(error),
      remediation:
        'Check that the vmware2scw backend plugin is installed and answers (GET /api/vmware2scw/health), then retry the task.',
    });
  }

  /** True when trying again later may succeed: the backend restarting, a network failure, a 5xx. */
  get transient(): boolean {
    const status = this.details?.statusCode;
    if (typeof status === 'number') return status >= 500 || status === 429;
    return this.code === 'VMWARE2SCW_API_UNREACHABLE';
  }

  /** Writes the failure to the task log: what failed with its code, each problem, what to do. */
  report(logger: LoggerService): void {
    logger.error(this.message);
    const problems = this.details?.problems;
    if (Array.isArray(problems))
      for (const p of (problems as ApiModel.Problem[]).slice(0, 20))
        logger.error(`  ${p.message} (${p.code}): ${p.remediation}`);
    logger.error(`Remediation: ${this.remediation}`);
  }
}

/**
 * Calls the API; a failure reaches the task log with its code and remediation, then is thrown so the
 * step fails.
 */
export async function callApi<T>(
  logger: LoggerService,
  doing: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return plainJson(await call());
  } catch (error) {
    const failure = ActionFailure.ofCall(error, doing);
    failure.report(logger);
    throw failure;
  }
}

function remediationForStatus(status: number): string {
  if (status === 401 || status === 403)
    return 'The vmware2scw API checks permissions for the person who ran the template: ask your Backstage admins for the vmware2scw permission this step needs.';
  if (status === 404)
    return 'Check the id or entity ref given to this step; the object may have been removed.';
  if (status >= 500)
    return 'The vmware2scw backend failed: read its log, then retry the task.';
  return 'Correct the step input named in the message, then run the template again.';
}
