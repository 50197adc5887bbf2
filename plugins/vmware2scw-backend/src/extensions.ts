import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { StageExecutor } from './engine/StageExecutor';

/**
 * Lets a backend module supply the executor of a stage: the Windows stages of an organisation's own
 * tooling, a different export path, or stand-ins in a test lab. A stage given here replaces the plugin's
 * own executor of that stage; the engine (claims, leases, retries, events) stays the same.
 *
 * @public
 */
export interface Vmware2scwStageExecutorsExtensionPoint {
  addStageExecutor(executor: StageExecutor): void;
}

/**
 * The extension point of {@link Vmware2scwStageExecutorsExtensionPoint}.
 *
 * @public
 */
export const vmware2scwStageExecutorsExtensionPoint =
  createExtensionPoint<Vmware2scwStageExecutorsExtensionPoint>({
    id: 'vmware2scw.stage-executors',
  });
