import { STAGES, type ApiModel } from '@internal/plugin-vmware2scw-common';

/**
 * How a stage's progress reads in the task log: one line with the stage, the percentage, bytes per
 * disk, the rate and the time left, e.g.
 * `Export: 42% | disk-0 1.3 GiB / 3.0 GiB, disk-1 0 B / 10.0 GiB | 85.3 MiB/s, ETA 3m 12s`.
 */
export function progressLine(run: ApiModel.StageRun): string {
  const title = STAGES[run.stage].title;
  const p = run.progress;
  const head = p?.phase ? `${title} (${p.phase})` : title;
  if (!p) return `${head}: running`;
  const parts: string[] = [];
  const percent = percentOf(p);
  parts.push(
    percent === undefined
      ? `${head}: running`
      : `${head}: ${Math.floor(percent)}%`,
  );
  if (p.disks.length > 0)
    parts.push(
      p.disks
        .map(
          d =>
            `${d.disk} ${formatBytes(d.bytesDone)}${
              d.bytesTotal === undefined
                ? ''
                : ` / ${formatBytes(d.bytesTotal)}`
            }`,
        )
        .join(', '),
    );
  const pace = [
    p.bytesPerSecond === undefined
      ? undefined
      : `${formatBytes(p.bytesPerSecond)}/s`,
    p.etaSeconds === undefined
      ? undefined
      : `ETA ${formatDuration(p.etaSeconds)}`,
  ].filter(Boolean);
  if (pace.length > 0) parts.push(pace.join(', '));
  return parts.join(' | ');
}

/** The stage's percentage: the engine's own, else bytes done over bytes known in total. */
export function percentOf(p: ApiModel.StageProgress): number | undefined {
  if (p.percent !== undefined) return p.percent;
  let done = 0;
  let total = 0;
  for (const d of p.disks) {
    if (d.bytesTotal === undefined) return undefined;
    done += d.bytesDone;
    total += d.bytesTotal;
  }
  return total > 0 ? (100 * done) / total : undefined;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units with one decimal from KiB up: `0 B`, `512 B`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0
    ? `${Math.round(value)} B`
    : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `45s`, `3m 12s`, `2h 05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600)
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(
    Math.floor((s % 3600) / 60),
  ).padStart(2, '0')}m`;
}
