import type { HumanDuration } from '@backstage/types';

export interface Config {
  scaffolder?: {
    /**
     * The vmware2scw:* template actions. A stage action holds one of the scaffolder's worker slots
     * (`scaffolder.concurrentTasksLimit`, default 10) for as long as it follows its stage.
     */
    vmware2scw?: {
      /** How often a following action reads the migration. Default 3 seconds. */
      pollInterval?: HumanDuration | string;
      /** At most this long between two progress lines in the task log. Default 15 seconds. */
      progressInterval?: HumanDuration | string;
      /** A progress line is also written each time a stage moves on by this many percent. Default 10. */
      progressPercentStep?: number;
      /**
       * How long one step may follow the engine before it gives its worker slot back (the stage goes on
       * in the engine; retrying the task follows it again). Default 12 hours.
       */
      maxWait?: HumanDuration | string;
      /**
       * Who `vmware2scw:wave:request-approval` notifies when the step names nobody: user or group entity
       * refs. Default: `vmware2scw.permissions.admins`.
       */
      approvers?: string[];
    };
  };
}
