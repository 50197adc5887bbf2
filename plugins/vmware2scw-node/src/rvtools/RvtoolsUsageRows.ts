import {
  clampPercent,
  percentilesOf,
  type VmUtilization,
} from '@internal/plugin-vmware2scw-common';
import { RvtoolsCells } from './RvtoolsCells';
import type { RvtoolsIssue } from './RvtoolsError';
import type { RvtoolsSheetSet } from './RvtoolsSheetSet';
import type { VmLookup } from './RvtoolsVmLookup';
import type { VmDraft } from './RvtoolsVmRows';

/** Seconds a vSphere quick stat averages over (the real-time interval). */
const QUICK_STATS_SECONDS = 20;

/** Usage figures of one VM as the export read them, in percent of what it is allocated. */
export interface VmUsageDraft {
  cpu?: number;
  memoryActive?: number;
  memoryConsumed?: number;
}

/**
 * Usage from the vCPU sheet (`Overall` / `Max` MHz), the vMemory sheet (`Active`, `Consumed` / `Size MiB`)
 * and, when vMemory does not say, vInfo's `Active Memory`. Every sheet and column is optional; a cell
 * that is not a number is an issue like any other bad cell. Powered-off VMs have no usage.
 */
export function joinUsageRows(
  sheets: RvtoolsSheetSet,
  lookup: VmLookup,
  drafts: readonly VmDraft[],
  issues: RvtoolsIssue[],
): void {
  const { cpu, memory, vinfo } = sheets;
  const mib = { min: 0, what: 'a size in MiB' };
  if (cpu && cpu.has('overallMhz') && cpu.has('maxMhz')) {
    for (const row of cpu.table.rows) {
      const c = new RvtoolsCells(cpu, row, issues);
      const draft = lookup.find(c);
      const overall = c.number('overallMhz', { min: 0, what: 'MHz' });
      const max = c.number('maxMhz', { min: 0, what: 'MHz' });
      if (draft && overall !== undefined && max)
        usageOf(draft).cpu = (overall / max) * 100;
    }
  }
  if (memory && memory.has('sizeMiB')) {
    for (const row of memory.table.rows) {
      const c = new RvtoolsCells(memory, row, issues);
      const draft = lookup.find(c);
      const size = c.number('sizeMiB', mib);
      const active = c.number('activeMiB', mib);
      const consumed = c.number('consumedMiB', mib);
      if (!draft || !size) continue;
      if (active !== undefined)
        usageOf(draft).memoryActive = (active / size) * 100;
      if (consumed !== undefined)
        usageOf(draft).memoryConsumed = (consumed / size) * 100;
    }
  }
  if (vinfo.has('activeMemoryMiB')) {
    const rows = new Map(vinfo.table.rows.map(r => [r.row, r]));
    for (const d of drafts) {
      if (d.usage?.memoryActive !== undefined) continue;
      const row = rows.get(d.row);
      if (!row) continue;
      const c = new RvtoolsCells(vinfo, row, issues);
      const active = c.number('activeMemoryMiB', mib);
      if (active !== undefined && d.vm.memoryMiB > 0)
        usageOf(d).memoryActive = (active / d.vm.memoryMiB) * 100;
    }
  }
}

function usageOf(d: VmDraft): VmUsageDraft {
  d.usage ??= {};
  return d.usage;
}

/**
 * The inventory's utilisation for a VM with usage figures: one point in time, so every percentile is
 * the figure and the window is empty (sizing rates such a recommendation low confidence).
 */
export function utilizationOf(
  d: VmDraft,
  collectedAt: string | undefined,
): VmUtilization | undefined {
  const u = d.usage;
  if (!u || d.vm.powerState !== 'poweredOn') return undefined;
  const one = (v: number | undefined) =>
    v === undefined ? undefined : percentilesOf([v], clampPercent);
  const cpu = one(u.cpu);
  const memoryActive = one(u.memoryActive);
  const memoryConsumed = one(u.memoryConsumed);
  if (!cpu && !memoryActive && !memoryConsumed) return undefined;
  return {
    source: 'rvtools',
    ...(collectedAt ? { from: collectedAt, to: collectedAt } : {}),
    windowSeconds: 0,
    intervalSeconds: QUICK_STATS_SECONDS,
    samples: 1,
    ...(cpu ? { cpu } : {}),
    ...(memoryActive ? { memoryActive } : {}),
    ...(memoryConsumed ? { memoryConsumed } : {}),
  };
}
