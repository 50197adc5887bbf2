import { planV1Schema, type Plan, type PlanV1Input } from './planSchema';

const QUOTED = true;
type Field = [
  key: string,
  value: string | number | boolean | string[] | undefined,
  quoted?: boolean,
];

/**
 * Writes a plan in the old tool's layout: sections in its order, a blank line between sections and
 * between `migrations` and `waves` entries, wave VM lists in flow style (`vms: ["web-*", "db-*"]`),
 * patterns and free text double-quoted as in its example plan (`__fixtures__/oldReadmePlan.ts`). Section defaults are written out, so the
 * file shows every setting that applies. `parsePlan(serializePlan(p))` gives `p` back.
 *
 * The layout is fixed, so this writes text directly instead of building a YAML document: ten
 * thousand entries take milliseconds instead of seconds. Scalars are written plain only when no
 * YAML 1.1 or 1.2 reader can take them for anything but a string; everything else is double-quoted.
 *
 * To change a file a user wrote, use `editPlanText` instead: it keeps their comments and layout.
 */
export function serializePlan(input: Plan | PlanV1Input): string {
  return writePlan(planV1Schema.parse(input));
}

/** For a plan that has just been validated (defaults filled): skips validating it again. */
export function writePlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`version: ${plan.version}`, '');

  out.push(
    ...mapping(
      'metadata',
      [
        ['generated_at', plan.metadata.generated_at, QUOTED],
        ['vcenter', plan.metadata.vcenter],
        ['generated_by', plan.metadata.generated_by],
        ['description', plan.metadata.description],
      ],
      plan.metadata.catalog
        ? [
            '  catalog:',
            `    source: ${scalar(plan.metadata.catalog.source)}`,
            `    priced_at: ${scalar(plan.metadata.catalog.priced_at, QUOTED)}`,
            `    zone: ${scalar(plan.metadata.catalog.zone)}`,
          ]
        : [],
    ),
    '',
  );

  out.push(
    'defaults:',
    `  zone: ${scalar(plan.defaults.zone)}`,
    `  sizing_strategy: ${scalar(plan.defaults.sizing_strategy)}`,
    ...(plan.defaults.sizing_percentile !== undefined
      ? [`  sizing_percentile: ${plan.defaults.sizing_percentile}`]
      : []),
    ...(plan.defaults.comfort_factor !== undefined
      ? [`  comfort_factor: ${plan.defaults.comfort_factor}`]
      : []),
  );
  if (plan.defaults.tags.length)
    out.push('  tags:', ...plan.defaults.tags.map(t => `    - ${scalar(t)}`));
  else out.push('  tags: []');
  out.push('');

  const c = plan.concurrency;
  out.push(
    'concurrency:',
    `  max_exports_per_host: ${c.max_exports_per_host}`,
    `  max_concurrent_conversions: ${c.max_concurrent_conversions}`,
    `  max_concurrent_uploads: ${c.max_concurrent_uploads}`,
    `  max_total_workers: ${c.max_total_workers}`,
    '',
  );

  out.push(
    ...list('migrations', plan.migrations, true, m => [
      ['vm_name', m.vm_name],
      ['vm_pattern', m.vm_pattern, QUOTED],
      ['target_type', m.target_type],
      ['priority', m.priority],
      ['wave', m.wave],
    ]),
    '',
  );
  out.push(
    ...list('exclude', plan.exclude, false, e => [
      ['vm_name', e.vm_name],
      ['vm_pattern', e.vm_pattern, QUOTED],
    ]),
    '',
  );
  out.push(
    ...list('waves', plan.waves, true, w => [
      ['name', w.name],
      ['vms', w.vms],
      ['pause_after', w.pause_after],
    ]),
    '',
  );

  const p = plan.post_migration;
  out.push(
    ...mapping('post_migration', [
      ['tag_source', p.tag_source, QUOTED],
      ['power_off_source', p.power_off_source],
      ['delete_vmware_snapshot', p.delete_vmware_snapshot],
      ['delete_s3_transit', p.delete_s3_transit],
    ]),
  );
  return `${out.join('\n')}\n`;
}

function mapping(key: string, fields: Field[], extra: string[] = []): string[] {
  const lines = fields
    .filter(f => f[1] !== undefined)
    .map(f => `  ${f[0]}: ${value(f)}`);
  lines.push(...extra);
  return lines.length ? [`${key}:`, ...lines] : [`${key}: {}`];
}

function list<T>(
  key: string,
  items: T[],
  spaced: boolean,
  fields: (item: T) => Field[],
): string[] {
  if (!items.length) return [`${key}: []`];
  const lines = [`${key}:`];
  items.forEach((item, i) => {
    if (spaced && i > 0) lines.push('');
    const present = fields(item).filter(f => f[1] !== undefined);
    if (!present.length) {
      lines.push('  - {}');
      return;
    }
    present.forEach((f, j) =>
      lines.push(`${j === 0 ? '  - ' : '    '}${f[0]}: ${value(f)}`),
    );
  });
  return lines;
}

function value([, v, quoted]: Field): string {
  // Wave VM lists are flow sequences of quoted patterns, as in the old tool's example plan.
  if (Array.isArray(v)) return `[${v.map(s => doubleQuoted(s)).join(', ')}]`;
  return scalar(v!, quoted);
}

function scalar(v: string | number | boolean, quoted = false): string {
  if (typeof v !== 'string') return String(v);
  return !quoted && isSafePlain(v) ? v : doubleQuoted(v);
}

/**
 * Plain only if it starts with a letter and holds nothing YAML gives a meaning to, and is not one
 * of the words YAML 1.1 (PyYAML, the old tool) or 1.2 read as booleans or null.
 */
const SAFE_PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

export function isSafePlain(s: string): boolean {
  return SAFE_PLAIN.test(s) && !RESERVED.test(s);
}

/**
 * A YAML double-quoted scalar. JSON's escapes are valid YAML escapes; on top of them, characters a
 * YAML 1.1 reader treats as line breaks or refuses as non-printable are escaped too.
 */
function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
