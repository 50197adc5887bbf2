import type { Vmware2scwApi } from '@internal/plugin-vmware2scw-node';
import type { Clock } from '../follow/Clock';
import type { ActionSettings } from '../settings/ActionSettings';

/** What the vmware2scw actions are built from: the API (on behalf of each task's initiator) and settings. */
export interface ActionDeps {
  api: Vmware2scwApi;
  settings: ActionSettings;
  /** Defaults to the system clock; tests pass a virtual one. */
  clock?: Clock;
}
