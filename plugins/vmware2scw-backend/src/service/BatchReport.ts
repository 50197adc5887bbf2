import {
  diskSchema,
  findServerType,
  STAGES,
  vmMonthlyCost,
  type ApiModel,
  type ScalewayOffer,
  type StageId,
} from '@internal/plugin-vmware2scw-common';
import type {
  ImportScwOutputs,
  VerifyCheck,
  VerifyOutputs,
} from '../engine/stages/outputs';
import type { MigrationService } from './MigrationService';

type ServerOutputs = Extract<VerifyOutputs, { mode: 'server' }>;

/** The recorded outputs of a stage of the migration, when it has some. */
function outputsOf<T>(m: ApiModel.Migration, stage: StageId): T | undefined {
  return m.stages.find(s => s.stage === stage)?.outputs as T | undefined;
}

/**
 * What the migration made at Scaleway (snapshots per disk, image, server, IPs) and verify's checks:
 * from the stages' outputs, or from what a failed verify checkpointed.
 */
function scalewaySection(m: ApiModel.Migration): string[] {
  const out: string[] = [];
  const imported = outputsOf<Partial<ImportScwOutputs>>(m, 'import_scw');
  const verifyRun = m.stages.find(s => s.stage === 'verify');
  const verified = (verifyRun?.outputs ??
    (verifyRun?.error?.details as { verification?: unknown } | undefined)
      ?.verification) as Partial<ServerOutputs> | undefined;
  for (const s of imported?.snapshots ?? [])
    out.push(
      `- snapshot \`${s.snapshotId}\` of ${esc(s.label ?? s.disk)} (${s.disk}${
        s.system ? ', system' : ''
      }), ${bytes(s.sizeBytes ?? 0)}${
        s.adopted ? ', adopted after a restart' : ''
      }`,
    );
  if (imported?.imageId)
    out.push(
      `- image \`${imported.imageId}\`${
        imported.imageName ? ` (${esc(imported.imageName)})` : ''
      } in ${imported.zone ?? m.zone}`,
    );
  if (verified?.serverId)
    out.push(
      `- server \`${verified.serverId}\`${
        verified.serverName ? ` (${esc(verified.serverName)})` : ''
      }${verified.commercialType ? `, ${verified.commercialType}` : ''}${
        verified.state ? `, ${verified.state}` : ''
      }`,
    );
  if (verified?.publicIps || verified?.privateIp !== undefined)
    out.push(
      `- IPs: ${
        [
          ...(verified.publicIps ?? []).map(ip => `${ip} (public)`),
          ...(verified.privateIp ? [`${verified.privateIp} (private)`] : []),
        ].join(', ') || 'none'
      }`,
    );
  if (!out.length) return [];
  const lines = ['Scaleway:', '', ...out, ''];
  const checks = (verified?.checks ?? []) as VerifyCheck[];
  if (checks.length) {
    lines.push('| verify check | result | expected | actual |');
    lines.push('|---|---|---|---|');
    for (const c of checks)
      lines.push(
        `| ${c.id}${c.diskId ? ` (${c.diskId})` : ''} | ${
          c.ok ? 'ok' : `**failed**: ${esc(c.message)}`
        } | ${esc(c.expected)} | ${esc(c.actual)} |`,
      );
    lines.push('');
  }
  return lines;
}

function esc(s: string): string {
  return s.replace(/[|<>]/g, ch => `\\${ch}`);
}
function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
function span(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}
function duration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} B`;
}

/**
 * The old `batch report`: a Markdown document from the store — per wave and per VM the stages with
 * their durations and sizes, the Scaleway ids, the concerns, the errors with what to do, the estimate
 * against what happened, and what was left to clean up.
 */
export class BatchReport {
  private readonly now: () => Date;

  constructor(
    private readonly service: MigrationService,
    private readonly options: {
      now?: () => Date;
      /** Prices the servers verify created (their type, Block volumes and public IPs). */
      catalog?: (zone: string) => Promise<ScalewayOffer>;
    } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async render(batchId: string): Promise<string> {
    const status = await this.service.batchStatus(batchId);
    const { batch, waves, migrations } = status;
    const events = (await this.service.batchEvents(batch.id)).items;
    let estimate: ApiModel.PlanEstimate | undefined;
    if (batch.planId) {
      estimate = await this.service
        .estimate({ planId: batch.planId }, undefined)
        .catch(() => undefined);
    }
    const out: string[] = [];
    out.push(`# vmware2scw report: ${esc(batch.planName)}`);
    out.push('');
    out.push(`- Batch: \`${batch.id}\`${batch.dryRun ? ' (dry run)' : ''}`);
    out.push(`- State: **${batch.state}**`);
    out.push(
      `- Started by ${esc(batch.createdBy)} at ${batch.createdAt}${
        batch.finishedAt ? `, finished at ${batch.finishedAt}` : ''
      }`,
    );
    const c = batch.counts;
    out.push(
      `- VMs: ${c.total} — ${c.succeeded} succeeded, ${c.failed} failed, ${
        c.cancelled
      } cancelled, ${
        c.total - c.succeeded - c.failed - c.cancelled
      } not finished`,
    );
    out.push(`- Report generated at ${this.now().toISOString()}`);
    out.push('');

    const wall = span(
      batch.createdAt,
      batch.finishedAt ?? this.now().toISOString(),
    );
    const moved = sum(
      migrations.flatMap(m =>
        m.stages.filter(s => s.stage === 'export').map(s => s.bytes ?? 0),
      ),
    );
    const uploaded = sum(
      migrations.flatMap(m =>
        m.stages.filter(s => s.stage === 'upload_s3').map(s => s.bytes ?? 0),
      ),
    );
    out.push('## Estimate against what happened');
    out.push('');
    out.push('| | estimated | actual |');
    out.push('|---|---|---|');
    out.push(
      `| duration | ${
        estimate ? duration(estimate.totals.durationSeconds) : 'n/a'
      } | ${duration(wall)} (approval waits included) |`,
    );
    out.push(
      `| bytes to move | ${
        estimate ? bytes(estimate.totals.bytesToMove) : 'n/a'
      } | ${bytes(moved)} exported, ${bytes(uploaded)} uploaded |`,
    );
    out.push(
      `| monthly cost | ${
        estimate ? `${estimate.totals.monthlyCostEur.toFixed(2)} EUR` : 'n/a'
      } | ${await this.createdServers(migrations)} |`,
    );
    out.push('');

    for (const wave of waves) {
      out.push(
        `## Wave ${wave.position + 1}: ${esc(wave.name)} — ${wave.state}`,
      );
      out.push('');
      out.push(
        `pause_after: ${wave.pauseAfter}${
          wave.pausedReason ? `; paused: ${wave.pausedReason}` : ''
        }${wave.startedAt ? `; started ${wave.startedAt}` : ''}${
          wave.finishedAt ? `; finished ${wave.finishedAt}` : ''
        }`,
      );
      for (const a of wave.approvals)
        out.push(
          `- ${a.decision} by ${esc(a.by)} at ${a.at}${
            a.comment ? `: ${esc(a.comment)}` : ''
          }`,
        );
      out.push('');
      for (const m of migrations.filter(x => x.waveId === wave.id))
        out.push(...this.vmSection(m));
    }

    const leftovers = migrations.flatMap(m =>
      (m.leftovers ?? []).map(l => ({ m, l })),
    );
    out.push('## Left to clean up');
    out.push('');
    if (!leftovers.length)
      out.push(
        'Nothing: every resource the migrations created was removed or is in use.',
      );
    for (const { m, l } of leftovers)
      out.push(`- ${esc(m.vmName)}: ${l.kind} \`${l.id}\` (${esc(l.where)})`);
    out.push('');

    const decisions = events.filter(e =>
      /^(wave\.(approved|rejected|paused|resumed)|migration\.(retried|cancel_requested|cleaned_up)|batch\.(resumed|cancelled))$/.test(
        e.type,
      ),
    );
    out.push('## Decisions');
    out.push('');
    if (!decisions.length) out.push('None.');
    for (const e of decisions)
      out.push(`- ${e.at} ${esc(e.actor)}: ${esc(e.message)}`);
    out.push('');
    return out.join('\n');
  }

  private vmSection(m: ApiModel.Migration): string[] {
    const out: string[] = [];
    out.push(`### ${esc(m.vmName)} — ${m.state}`);
    out.push('');
    out.push(
      `${m.osFamily}, target ${m.targetType ?? '(sized at validate)'} in ${
        m.zone
      }${m.runnerId ? `, runner ${m.runnerId}` : ''}; entity ${esc(
        m.entityRef,
      )}`,
    );
    out.push('');
    out.push('| stage | state | attempts | duration | size |');
    out.push('|---|---|---|---|---|');
    for (const s of m.stages) {
      out.push(
        `| ${STAGES[s.stage].title} | ${s.state}${
          s.skippedReason ? ` (${esc(s.skippedReason)})` : ''
        } | ${s.attempt} | ${
          s.durationSeconds !== undefined ? duration(s.durationSeconds) : ''
        } | ${s.bytes ? bytes(s.bytes) : ''} |`,
      );
    }
    out.push('');
    out.push(...scalewaySection(m));
    const concerns = (m.stages.find(s => s.stage === 'validate')?.outputs
      ?.concerns ?? []) as ApiModel.Concern[];
    if (concerns.length) {
      out.push('Concerns:');
      for (const cn of concerns)
        out.push(
          `- ${cn.severity}: ${esc(cn.label)} — ${esc(cn.assessment)} (${esc(
            cn.remediation,
          )})`,
        );
      out.push('');
    }
    if (m.lastError) {
      out.push(
        `**Error** \`${m.lastError.code}\`: ${esc(m.lastError.message)}`,
      );
      out.push(`What to do: ${esc(m.lastError.remediation)}`);
      out.push('');
    }
    return out;
  }

  /** The servers verify created, priced like the estimate: instance, Block volumes, public IPv4. */
  private async createdServers(
    migrations: ApiModel.Migration[],
  ): Promise<string> {
    let total = 0;
    let priced = 0;
    let count = 0;
    for (const m of migrations) {
      const verified = outputsOf<Partial<ServerOutputs>>(m, 'verify');
      if (!verified?.serverId) continue;
      count += 1;
      const offer = await this.options.catalog?.(m.zone).catch(() => undefined);
      const type =
        offer && verified.commercialType
          ? findServerType(offer, verified.commercialType)
          : undefined;
      if (!offer || !type) continue;
      priced += 1;
      total += vmMonthlyCost(
        {
          disks: (verified.volumes ?? []).map((v, i) =>
            diskSchema.parse({
              key: i,
              label: `volume ${v.index}`,
              capacityBytes: v.sizeBytes,
            }),
          ),
        },
        type,
        offer,
        { publicIpv4: (verified.publicIps ?? []).length > 0 },
      ).totalEur;
    }
    if (!count) return '0 servers created';
    return `${count} server(s) created${
      priced
        ? `, ${total.toFixed(2)} EUR a month${
            priced < count ? ` for the ${priced} priced` : ''
          }`
        : ''
    }`;
  }
}
