import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type Permission,
} from '@backstage/plugin-permission-common';
import {
  batchRunPermission,
  isVmware2scwError,
  planCreatePermission,
  planReadPermission,
  PlanningError,
  vmMigratePermission,
  waveApprovePermission,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type { Vmware2scwConfig } from '@internal/plugin-vmware2scw-node';
import express, { type ErrorRequestHandler } from 'express';
import { createOpenApiRouter } from '../schema/openapi/generated/router';
import type { Assessment } from './Assessment';
import { ConflictStateError, type MigrationService } from './MigrationService';
import type { RunnerPool } from '../engine/services/RunnerPool';
import type { BatchReport } from './BatchReport';

export interface RouterOptions {
  settings: Vmware2scwConfig;
  version: string;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  service: MigrationService;
  assessment: Assessment;
  runners: RunnerPool;
  report: BatchReport;
}

/** Who did it, for events and approvals: the user's entity ref, or the calling service. */
export function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  if (p.type === 'service' && p.subject) return p.subject;
  return 'unknown';
}

const NOT_FOUND_CODES = new Set(['VM_ENTITY_NOT_FOUND']);

/**
 * The REST API (thin handlers: authenticate, check the permission, call the service, answer). Every
 * route but /health needs credentials (the httpRouter's default policy); mutating routes check a
 * permission, resource permissions with the wave id or the VM's entity ref.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { settings, version, httpAuth, permissions, service, assessment } =
    options;
  const router = await createOpenApiRouter();
  router.use(express.json({ limit: '20mb' }));

  type AnyRequest = Parameters<HttpAuthService['credentials']>[0];
  const allow = async (
    req: AnyRequest,
    permission: Permission,
    resourceRef?: string,
  ): Promise<BackstageCredentials> => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [resourceRef ? ({ permission, resourceRef } as any) : { permission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${permission.name} is not granted to ${actorOf(credentials)}${
          resourceRef ? ` on ${resourceRef}` : ''
        }`,
      );
    }
    return credentials;
  };
  const read = (req: AnyRequest) => allow(req, planReadPermission);

  router.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      version,
      vcenters: settings.vcenters.length,
      runners: settings.conversion.runners.length,
      scaleway: settings.scaleway
        ? { configured: true, defaultZone: settings.scaleway.defaultZone }
        : { configured: false },
    });
  });

  router.get('/runners', async (req, res) => {
    await read(req);
    res.json({ items: await options.runners.statuses() });
  });

  router.get('/vms', async (req, res) => {
    await read(req);
    const q = req.query;
    const filter =
      q.filter === undefined ? [] : ([] as string[]).concat(q.filter as any);
    res.json(
      await assessment.queryVms(
        {
          filters: filter,
          ...(q.minCpu !== undefined ? { minCpu: Number(q.minCpu) } : {}),
          ...(q.maxCpu !== undefined ? { maxCpu: Number(q.maxCpu) } : {}),
          ...(q.minRamGb !== undefined ? { minRamGb: Number(q.minRamGb) } : {}),
          ...(q.maxDiskGb !== undefined
            ? { maxDiskGb: Number(q.maxDiskGb) }
            : {}),
        },
        {
          limit: q.limit ? Number(q.limit) : 200,
          offset: q.offset ? Number(q.offset) : 0,
        },
      ),
    );
  });

  router.get('/vms/assessment', async (req, res) => {
    await read(req);
    res.json(
      await assessment.assess(
        String(req.query.entityRef),
        req.query.zone as string | undefined,
      ),
    );
  });

  router.get('/vms/migration', async (req, res) => {
    await read(req);
    res.json(await service.entityStatus(String(req.query.entityRef)));
  });

  router.get('/plans', async (req, res) => {
    await read(req);
    res.json(await service.listPlans());
  });

  router.post('/plans', async (req, res) => {
    const credentials = await allow(req, planCreatePermission);
    res
      .status(201)
      .json(await service.createPlan(req.body, actorOf(credentials)));
  });

  router.post('/plans/validate', async (req, res) => {
    await read(req);
    res.json(await service.validatePlan(req.body.yaml));
  });

  router.post('/plans/from-filters', async (req, res) => {
    const credentials = req.body.name
      ? await allow(req, planCreatePermission)
      : await read(req);
    res.json(await service.planFromFilters(req.body, actorOf(credentials)));
  });

  router.post('/plans/estimate', async (req, res) => {
    await read(req);
    res.json(await service.estimate({ yaml: req.body.yaml }, req.body.model));
  });

  router.get('/plans/:planId', async (req, res) => {
    await read(req);
    res.json(await service.getPlanView(req.params.planId));
  });

  router.get('/plans/:planId/yaml', async (req, res) => {
    await read(req);
    const plan = await service.getPlan(req.params.planId);
    res
      .type('application/yaml')
      .setHeader(
        'content-disposition',
        `attachment; filename="${plan.name.replace(
          /[^A-Za-z0-9._-]/g,
          '_',
        )}.yaml"`,
      )
      .send(plan.yaml);
  });

  router.post('/plans/:planId/estimate', async (req, res) => {
    await read(req);
    res.json(
      await service.estimate({ planId: req.params.planId }, req.body?.model),
    );
  });

  router.get('/batches', async (req, res) => {
    await read(req);
    res.json(
      await service.listBatches(
        req.query.limit ? Number(req.query.limit) : undefined,
      ),
    );
  });

  /** Starting a batch "approved" is an approval of its first wave: it needs that permission too. */
  const checkFirstApproval = async (
    req: express.Request,
    credentials: BackstageCredentials,
  ) => {
    const body = req.body as {
      planId: string;
      dryRun?: boolean;
      approveFirstWave?: boolean;
    };
    if (body.approveFirstWave && !body.dryRun) {
      const [decision] = await permissions.authorize(
        [{ permission: waveApprovePermission } as any],
        {
          credentials,
        },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `approveFirstWave needs ${
            waveApprovePermission.name
          }, which ${actorOf(credentials)} does not hold on every wave`,
        );
      }
    }
    return body;
  };

  router.post('/batches', async (req, res) => {
    const credentials = await allow(req, batchRunPermission);
    res
      .status(201)
      .json(
        await service.startBatch(
          await checkFirstApproval(req, credentials),
          actorOf(credentials),
        ),
      );
  });

  router.get('/batches/:batchId', async (req, res) => {
    await read(req);
    res.json(await service.batchStatus(req.params.batchId));
  });

  router.post('/batches/:batchId/resume', async (req, res) => {
    const credentials = await allow(req, batchRunPermission);
    res.json(
      await service.resumeBatch(req.params.batchId, actorOf(credentials)),
    );
  });

  router.post('/batches/:batchId/cancel', async (req, res) => {
    const credentials = await allow(req, batchRunPermission);
    res.json(
      await service.cancelBatch(req.params.batchId, actorOf(credentials)),
    );
  });

  router.get('/batches/:batchId/events', async (req, res) => {
    await read(req);
    res.json(
      await service.batchEvents(
        req.params.batchId,
        req.query.after !== undefined ? Number(req.query.after) : undefined,
        req.query.limit ? Number(req.query.limit) : undefined,
      ),
    );
  });

  router.get('/batches/:batchId/report', async (req, res) => {
    await read(req);
    const batch = await service.getBatch(req.params.batchId);
    res
      .type('text/markdown')
      .setHeader(
        'content-disposition',
        `attachment; filename="vmware2scw-report-${batch.id}.md"`,
      )
      .send(await options.report.render(batch.id));
  });

  router.get('/waves/:waveId', async (req, res) => {
    await read(req);
    res.json(await service.waveView(req.params.waveId));
  });

  router.post('/waves/:waveId/approve', async (req, res) => {
    const credentials = await allow(
      req,
      waveApprovePermission,
      req.params.waveId,
    );
    res.json(
      await service.decideWave(
        req.params.waveId,
        'approved',
        actorOf(credentials),
        req.body?.comment,
      ),
    );
  });

  router.post('/waves/:waveId/reject', async (req, res) => {
    const credentials = await allow(
      req,
      waveApprovePermission,
      req.params.waveId,
    );
    res.json(
      await service.decideWave(
        req.params.waveId,
        'rejected',
        actorOf(credentials),
        req.body?.comment,
      ),
    );
  });

  router.post('/waves/:waveId/pause', async (req, res) => {
    const credentials = await allow(req, batchRunPermission);
    res.json(await service.pauseWave(req.params.waveId, actorOf(credentials)));
  });

  router.post('/waves/:waveId/resume', async (req, res) => {
    const credentials = await allow(req, batchRunPermission);
    res.json(await service.resumeWave(req.params.waveId, actorOf(credentials)));
  });

  router.post('/migrations', async (req, res) => {
    const credentials = await allow(
      req,
      vmMigratePermission,
      String(req.body.entityRef).toLocaleLowerCase('en-US'),
    );
    res
      .status(201)
      .json(
        await service.createSingleMigration(req.body, actorOf(credentials)),
      );
  });

  /** Acting on one VM's migration: the VM migrate permission on its entity, or batch.run. */
  const allowOnMigration = async (
    req: express.Request,
    migrationId: string,
  ) => {
    const m = await service.getMigration(migrationId);
    try {
      return await allow(req, vmMigratePermission, m.entityRef);
    } catch (err) {
      if (!(err instanceof NotAllowedError)) throw err;
      return allow(req, batchRunPermission);
    }
  };

  router.get('/migrations/:migrationId', async (req, res) => {
    await read(req);
    res.json(await service.migrationView(req.params.migrationId));
  });

  router.post('/migrations/:migrationId/retry', async (req, res) => {
    const credentials = await allowOnMigration(req, req.params.migrationId);
    res.json(
      await service.retryMigration(
        req.params.migrationId,
        actorOf(credentials),
      ),
    );
  });

  router.post('/migrations/:migrationId/cancel', async (req, res) => {
    const credentials = await allowOnMigration(req, req.params.migrationId);
    res.json(
      await service.cancelMigration(
        req.params.migrationId,
        actorOf(credentials),
      ),
    );
  });

  router.post(
    '/migrations/:migrationId/stages/:stage/run',
    async (req, res) => {
      const credentials = await allowOnMigration(req, req.params.migrationId);
      res.json(
        await service.runStage(
          req.params.migrationId,
          req.params.stage as StageId,
          actorOf(credentials),
        ),
      );
    },
  );

  router.post('/migrations/:migrationId/cleanup', async (req, res) => {
    const credentials = await allowOnMigration(req, req.params.migrationId);
    res.json(
      await service.cleanupLeftovers(
        req.params.migrationId,
        actorOf(credentials),
      ),
    );
  });

  router.get('/migrations/:migrationId/events', async (req, res) => {
    await read(req);
    res.json(
      await service.migrationEvents(
        req.params.migrationId,
        req.query.after !== undefined ? Number(req.query.after) : undefined,
        req.query.limit ? Number(req.query.limit) : undefined,
      ),
    );
  });

  router.use(errorHandler(options.logger));
  return router;
}

/**
 * Errors as Backstage error bodies, keeping `code` and `remediation` (and a plan's `problems`) for
 * API clients; never a stack, a cause or anything else the error object carries.
 */
function errorHandler(logger: LoggerService): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let status = 500;
    const name: string = err?.name ?? 'Error';
    if (err instanceof PlanningError) status = 400;
    else if (err instanceof ConflictStateError) status = 409;
    else if (isVmware2scwError(err))
      status = NOT_FOUND_CODES.has(err.code) ? 404 : 400;
    else if (name === 'NotFoundError') status = 404;
    else if (name === 'NotAllowedError') status = 403;
    else if (name === 'AuthenticationError') status = 401;
    else if (name === 'InputError') status = 400;
    else if (name === 'ConflictError') status = 409;
    if (status === 500)
      logger.error(
        `vmware2scw ${req.method} ${req.path} failed: ${err?.stack ?? err}`,
      );
    res.status(status).json({
      error: {
        name,
        message:
          status === 500
            ? `Internal error: ${String(err?.message ?? err)}`
            : String(err?.message ?? err),
        ...(isVmware2scwError(err)
          ? { code: err.code, remediation: err.remediation }
          : {}),
        ...(isVmware2scwError(err) && err.details
          ? { details: err.details }
          : {}),
        ...(err instanceof PlanningError
          ? {
              code: err.code,
              remediation: err.remediation,
              problems: err.problems,
            }
          : {}),
      },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: status },
    });
  };
}
