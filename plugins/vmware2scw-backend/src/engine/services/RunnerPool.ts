import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  toErrorBody,
  Vmware2scwError,
  type ApiModel,
  type RunnerHealth,
} from '@internal/plugin-vmware2scw-common';
import {
  RunnerClient,
  type RunnerEndpoint,
} from '@internal/plugin-vmware2scw-node';

/**
 * The configured conversion runners: a client each, their health (cached a few seconds), and where a
 * VM goes — the reachable runner with the most free scratch that fits the VM's disks.
 */
export class RunnerPool {
  private readonly clients: Map<string, RunnerClient>;
  private readonly health = new Map<
    string,
    { at: number; result: Promise<RunnerHealth> }
  >();

  constructor(
    endpoints: readonly RunnerEndpoint[],
    private readonly options: {
      logger: LoggerService;
      healthCacheMs?: number;
      now?: () => number;
    },
  ) {
    this.clients = new Map(
      endpoints.map(e => [
        e.id,
        new RunnerClient(e, { logger: options.logger.child({ runner: e.id }) }),
      ]),
    );
  }

  get ids(): string[] {
    return [...this.clients.keys()];
  }

  client(runnerId: string): RunnerClient {
    const client = this.clients.get(runnerId);
    if (!client) {
      throw new Vmware2scwError({
        code: 'RUNNER_NOT_CONFIGURED',
        message: `Runner "${runnerId}" is not in vmware2scw.conversion.runners any more`,
        remediation:
          'Retry the migration: it restarts from export on a configured runner.',
      });
    }
    return client;
  }

  async healthOf(
    runnerId: string,
    signal?: AbortSignal,
  ): Promise<RunnerHealth> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.health.get(runnerId);
    if (hit && now - hit.at < (this.options.healthCacheMs ?? 5000))
      return hit.result;
    const result = this.client(runnerId).health(signal);
    this.health.set(runnerId, { at: now, result });
    result.catch(() => this.health.delete(runnerId));
    return result;
  }

  /** Every runner with what its health says, for GET /runners and the dry run. */
  async statuses(): Promise<ApiModel.RunnerStatus[]> {
    return Promise.all(
      this.ids.map(async id => {
        const client = this.client(id);
        try {
          const h = await this.healthOf(id);
          return {
            id,
            host: client.host,
            reachable: true,
            version: h.version,
            accel: h.accel.mode,
            scratchFreeBytes: h.scratch.freeBytes,
            scratchTotalBytes: h.scratch.totalBytes,
            runningJobs: h.jobs.running,
          };
        } catch (err) {
          return {
            id,
            host: client.host,
            reachable: false,
            error: toErrorBody(err),
          };
        }
      }),
    );
  }

  /**
   * The runner for a VM that needs `scratchBytes`: reachable, enough free scratch, most free first.
   * Throws NO_RUNNER_AVAILABLE naming each runner and why it was not chosen.
   */
  async place(scratchBytes: number, signal?: AbortSignal): Promise<string> {
    const reasons: string[] = [];
    let best: { id: string; free: number } | undefined;
    for (const id of this.ids) {
      try {
        const h = await this.healthOf(id, signal);
        if (h.scratch.freeBytes < scratchBytes) {
          reasons.push(
            `${id}: ${gib(h.scratch.freeBytes)} free scratch, ${gib(
              scratchBytes,
            )} needed`,
          );
          continue;
        }
        if (!best || h.scratch.freeBytes > best.free)
          best = { id, free: h.scratch.freeBytes };
      } catch (err) {
        reasons.push(`${id}: ${(err as Error).message}`);
      }
    }
    if (best) return best.id;
    throw new Vmware2scwError({
      code: 'NO_RUNNER_AVAILABLE',
      message: this.ids.length
        ? `No conversion runner can take this VM (${reasons.join('; ')})`
        : 'No conversion runner is configured',
      remediation: this.ids.length
        ? 'Free scratch space on a runner, add a runner, or start the stopped one; then retry.'
        : 'Add a runner to vmware2scw.conversion.runners (id, url, token).',
      details: { scratchBytes },
    });
  }

  /** Whether a runner answers now (a VM whose runner is gone restarts from export elsewhere). */
  async isReachable(runnerId: string): Promise<boolean> {
    if (!this.clients.has(runnerId)) return false;
    try {
      this.health.delete(runnerId);
      await this.healthOf(runnerId);
      return true;
    } catch {
      return false;
    }
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
