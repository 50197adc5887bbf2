import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatBytes, formatDuration } from '../follow/progressText';

const eur = (value: number) => `${value.toFixed(2)} €`;

/** A plan's estimate as Markdown, for a template's output page: totals, waves, concerns. */
export function estimateSummary(e: ApiModel.PlanEstimate): string {
  const t = e.totals;
  const lines = [
    `**${t.migratableCount} of ${t.vmCount} VM(s) migratable** — ${formatBytes(
      t.bytesToMove,
    )} to move in about ${formatDuration(
      t.durationSeconds,
    )}, peak scratch ${formatBytes(t.peakScratchBytes)}${
      t.scratchFits === false ? ' (**more than the runners have**)' : ''
    }.`,
    '',
    `Monthly cost on Scaleway: **${eur(t.monthlyCostEur)}** (${
      e.pricing.source
    } prices of ${e.pricing.pricedAt}, ${e.pricing.zone}${
      e.pricing.fallbackReason ? `; ${e.pricing.fallbackReason}` : ''
    }).`,
    '',
    '| wave | VMs | to move | duration | monthly |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...e.waves.map(
      w =>
        `| ${w.name} | ${w.vmCount} | ${formatBytes(
          w.bytesToMove,
        )} | ${formatDuration(w.durationSeconds)} | ${eur(w.monthlyCostEur)} |`,
    ),
  ];
  if (e.concernTally.length > 0)
    lines.push(
      '',
      '| concern | severity | VMs | what to do |',
      '| --- | --- | ---: | --- |',
      ...e.concernTally.map(
        c =>
          `| ${cell(c.label)} | ${c.severity} | ${c.vmCount} | ${cell(
            c.remediation,
          )} |`,
      ),
    );
  if (e.containsCritical)
    lines.push(
      '',
      'Some VMs have critical concerns and will not be migrated until they are resolved.',
    );
  for (const p of e.problems)
    lines.push(
      '',
      `- ${p.severity}: ${cell(p.message)} — ${cell(p.remediation)}`,
    );
  return lines.join('\n');
}

/** Text inside a Markdown table cell: no pipe or line break may end the cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
