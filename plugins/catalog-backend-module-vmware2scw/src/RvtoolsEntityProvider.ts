import {
  LoggerService,
  SchedulerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { readRvtoolsExport } from '@internal/plugin-vmware2scw-node';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InventoryEntityProvider } from './InventoryEntityProvider';
import { entityOptions } from './vmEntity';
import { RvtoolsSourceSettings } from './ProviderConfig';

export interface RvtoolsEntityProviderDeps {
  logger: LoggerService;
  scheduler: SchedulerService;
  urlReader: UrlReaderService;
  /** Where relative targets start from; the backend's working directory by default. */
  baseDir?: string;
}

/**
 * VM entities from an RVTools export (xlsx, or the CSV files of "Export all to csv"): planning and the
 * catalog work without vCenter credentials. An http(s) target is read through Backstage's UrlReader (an
 * integration or `backend.reading.allow` must cover its host); a local path is read from disk.
 */
export class RvtoolsEntityProvider extends InventoryEntityProvider {
  static create(
    settings: RvtoolsSourceSettings,
    deps: RvtoolsEntityProviderDeps,
  ): RvtoolsEntityProvider {
    const logger = deps.logger.child({
      provider: `vmware2scw-rvtools:${settings.id}`,
    });
    const baseDir = deps.baseDir ?? process.cwd();
    const remote = /^https?:\/\//i.test(settings.target);
    const location = remote
      ? `url:${settings.target}`
      : `file:${path.resolve(
          baseDir,
          settings.target.startsWith('file:')
            ? fileURLToPath(settings.target)
            : settings.target,
        )}`;
    return new RvtoolsEntityProvider({
      providerName: `vmware2scw-rvtools:${settings.id}`,
      logger,
      taskRunner: deps.scheduler.createScheduledTaskRunner(settings.schedule),
      entities: entityOptions(location, settings),
      loadInventory: async signal => {
        const { inventory, warnings } = await readRvtoolsExport(
          settings.target,
          {
            sourceId: settings.id,
            urlReader: deps.urlReader,
            baseDir,
            signal,
          },
        );
        for (const w of warnings) logger.warn(`${settings.target}: ${w}`);
        return inventory;
      },
    });
  }
}
