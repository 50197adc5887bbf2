import { z } from 'zod';
import { compileGlob } from '../patterns/GlobPattern';
import { makeProblem, type Problem } from '../problems/Problem';
import { didYouMean } from '../problems/didYouMean';
import {
  firmwareSchema,
  osFamilySchema,
  powerStateSchema,
  vmTotalDiskBytes,
  type Vm,
} from '../inventory/model';
import { compileUserRegex } from './UserRegex';

/**
 * The old tool's inventory filters. Text filters are `kind:value` strings (`-f "name:web-*"`), numeric
 * ones were options (`--min-cpu 4`); both forms are accepted here, and `min-cpu:4` works as a string
 * too, so a URL query or a form can carry every filter the same way.
 *
 * | kind       | matches                                                           |
 * |------------|-------------------------------------------------------------------|
 * | `name:`    | glob on the VM name (fnmatch: `*`, `?`, `[...]`, case-sensitive)   |
 * | `regex:`   | RE2 regex searched in the VM name (like Python `re.search`)       |
 * | `folder:`  | folder path prefix, whole segments (`/DC1/Prod` ⊃ `/DC1/Prod/Web`) |
 * | `os:`      | OS family: `linux`, `windows`, `other`                            |
 * | `host:`    | glob on the ESXi host name                                        |
 * | `cluster:` | glob on the cluster name                                          |
 * | `dc:`      | datacenter name, exact                                            |
 * | `state:`   | `poweredOn`, `poweredOff`, `suspended`                            |
 * | `firmware:`| `bios` or `efi` (`uefi` accepted)                                 |
 * | `min-cpu:` / `max-cpu:` | vCPU count bounds, inclusive                         |
 * | `min-ram:` | memory at least N GB (GiB, as vSphere shows them)                 |
 * | `max-disk:`| total disk capacity at most N GB (GiB)                            |
 */
export const VM_FILTER_KINDS = [
  'name',
  'regex',
  'folder',
  'os',
  'host',
  'cluster',
  'dc',
  'state',
  'firmware',
  'min-cpu',
  'max-cpu',
  'min-ram',
  'max-disk',
] as const;
export type VmFilterKind = (typeof VM_FILTER_KINDS)[number];

/** What a caller (REST query, plan builder form, scaffolder action) sends. */
export const vmFilterSpecSchema = z.object({
  /** `kind:value` strings, ANDed. */
  filters: z.array(z.string()).default([]),
  minCpu: z.number().optional(),
  maxCpu: z.number().optional(),
  /** GiB. */
  minRamGb: z.number().optional(),
  /** GiB. */
  maxDiskGb: z.number().optional(),
});
export type VmFilterSpec = z.input<typeof vmFilterSpecSchema>;

/** One parsed filter, as data: the UI can show it back, the backend can store it. */
export interface ParsedVmFilter {
  kind: VmFilterKind;
  value: string | number;
  /** The text the user wrote (`name:web-*`, or `--min-cpu 4` for an option). */
  text: string;
}

export interface CompiledVmFilter {
  readonly filters: ParsedVmFilter[];
  matches(vm: Vm): boolean;
}

const GIB = 2 ** 30;

type Predicate = (vm: Vm) => boolean;

interface ParseOutcome {
  filter?: ParsedVmFilter;
  predicate?: Predicate;
  problem?: Problem;
}

const EXAMPLES: Record<VmFilterKind, string> = {
  name: 'name:web-*',
  regex: 'regex:^prod-\\d+',
  folder: 'folder:/DC1/Production',
  os: 'os:linux',
  host: 'host:esxi-01*',
  cluster: 'cluster:prod-*',
  dc: 'dc:DC1',
  state: 'state:poweredOn',
  firmware: 'firmware:bios',
  'min-cpu': 'min-cpu:4',
  'max-cpu': 'max-cpu:16',
  'min-ram': 'min-ram:8',
  'max-disk': 'max-disk:500',
};

/** Parses one `kind:value` filter string. */
export function parseVmFilter(text: string): ParseOutcome {
  const colon = text.indexOf(':');
  if (colon < 0) {
    return {
      problem: makeProblem({
        code: 'FILTER_MALFORMED',
        field: `filter "${text}"`,
        text: 'a filter is kind:value and this one has no kind',
        remediation: `Write it with its kind, e.g. "name:${text}" for a name pattern.`,
        expected: `one of ${VM_FILTER_KINDS.map(k => `${k}:`).join(', ')}`,
        suggestion: `name:${text}`,
      }),
    };
  }
  const rawKind = text.slice(0, colon).trim().toLowerCase();
  const value = text.slice(colon + 1);
  const kind = VM_FILTER_KINDS.find(k => k === rawKind);
  if (!kind) {
    const suggestion = didYouMean(rawKind, VM_FILTER_KINDS);
    return {
      problem: makeProblem({
        code: 'FILTER_UNKNOWN',
        field: `filter "${text}"`,
        text: `unknown filter kind "${rawKind}"${
          suggestion ? `; did you mean "${suggestion}:"?` : ''
        }`,
        remediation: `Use one of: ${VM_FILTER_KINDS.map(k => `${k}:`).join(
          ', ',
        )}.`,
        expected: VM_FILTER_KINDS.join(', '),
        suggestion: suggestion ? `${suggestion}:${value}` : undefined,
      }),
    };
  }
  return parseKindValue(kind, value, text);
}

function parseKindValue(
  kind: VmFilterKind,
  value: string,
  text: string,
): ParseOutcome {
  const field = `filter "${text}"`;
  if (value.trim() === '') {
    return {
      problem: makeProblem({
        code: 'FILTER_MALFORMED',
        field,
        text: `the ${kind}: filter needs a value`,
        remediation: `Give a value, e.g. ${EXAMPLES[kind]}.`,
        expected: EXAMPLES[kind],
      }),
    };
  }
  const filter: ParsedVmFilter = { kind, value, text };
  switch (kind) {
    case 'name': {
      const glob = compileGlob(value);
      return { filter, predicate: vm => glob.matches(vm.name) };
    }
    case 'host': {
      const glob = compileGlob(value);
      return { filter, predicate: vm => glob.matches(vm.host ?? '') };
    }
    case 'cluster': {
      const glob = compileGlob(value);
      return { filter, predicate: vm => glob.matches(vm.cluster ?? '') };
    }
    case 'regex': {
      const compiled = compileUserRegex(value, field);
      if ('problem' in compiled) return { problem: compiled.problem };
      return { filter, predicate: vm => compiled.regex.test(vm.name) };
    }
    case 'folder': {
      const prefix = normalizeFolder(value);
      return {
        filter: { ...filter, value: prefix },
        predicate: vm => {
          const path = normalizeFolder(vm.folderPath);
          return (
            prefix === '' || path === prefix || path.startsWith(`${prefix}/`)
          );
        },
      };
    }
    case 'dc':
      return { filter, predicate: vm => vm.datacenter === value };
    case 'os':
      return enumFilter(
        kind,
        value,
        text,
        osFamilySchema.options,
        v => vm => vm.osFamily === v,
      );
    case 'state':
      return enumFilter(
        kind,
        value,
        text,
        powerStateSchema.options,
        v => vm => vm.powerState === v,
      );
    case 'firmware':
      return enumFilter(
        kind,
        value.trim().toLowerCase() === 'uefi' ? 'efi' : value,
        text,
        firmwareSchema.options,
        v => vm => vm.firmware === v,
      );
    default:
      return numericFilter(kind, value.trim(), text);
  }
}

function enumFilter<T extends string>(
  kind: VmFilterKind,
  value: string,
  text: string,
  options: readonly T[],
  build: (v: T) => Predicate,
): ParseOutcome {
  const wanted = value.trim().toLowerCase();
  const match = options.find(o => o.toLowerCase() === wanted);
  if (!match) {
    const suggestion = didYouMean(value.trim(), options);
    return {
      problem: makeProblem({
        code: 'FILTER_VALUE_INVALID',
        field: `filter "${text}"`,
        text: `"${value}" is not a valid ${kind}${
          suggestion ? `; did you mean "${suggestion}"?` : ''
        }`,
        remediation: `Use one of: ${options
          .map(o => `${kind}:${o}`)
          .join(', ')}.`,
        expected: options.join(', '),
        suggestion: suggestion ? `${kind}:${suggestion}` : undefined,
      }),
    };
  }
  return { filter: { kind, value: match, text }, predicate: build(match) };
}

function numericFilter(
  kind: VmFilterKind,
  value: string,
  text: string,
): ParseOutcome {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  const integer = kind === 'min-cpu' || kind === 'max-cpu';
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    return {
      problem: makeProblem({
        code: 'FILTER_VALUE_INVALID',
        field: `filter "${text}"`,
        text: `"${value}" is not ${
          integer ? 'a whole number' : 'a number'
        } of ${integer ? 'vCPUs' : 'GB'}`,
        remediation: `Give ${
          integer ? 'a whole number' : 'a number'
        } ≥ 0, e.g. ${EXAMPLES[kind]}.`,
        expected: integer ? 'an integer ≥ 0' : 'a number ≥ 0',
      }),
    };
  }
  const filter: ParsedVmFilter = { kind, value: n, text };
  switch (kind) {
    case 'min-cpu':
      return { filter, predicate: vm => vm.numCpu >= n };
    case 'max-cpu':
      return { filter, predicate: vm => vm.numCpu <= n };
    case 'min-ram':
      return { filter, predicate: vm => vm.memoryMiB >= n * 1024 };
    default:
      return { filter, predicate: vm => vmTotalDiskBytes(vm) <= n * GIB };
  }
}

/** `/DC1/Prod/` and `DC1/Prod` are the same folder: one leading slash, no trailing one. */
function normalizeFolder(path: string): string {
  // Inventory paths are nearly always normal already: skip the rewriting for them.
  if (
    path.charCodeAt(0) === 47 &&
    !path.endsWith('/') &&
    !path.includes('//') &&
    path.trim() === path
  )
    return path;
  const trimmed = path.trim().replace(/\/+/g, '/').replace(/\/$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** Problems in a filter spec, without compiling it: for forms that validate as the user types. */
export function validateVmFilters(spec: VmFilterSpec): Problem[] {
  return buildFilters(spec).problems;
}

interface Built {
  filters: ParsedVmFilter[];
  predicates: Predicate[];
  problems: Problem[];
}

export function buildFilters(spec: VmFilterSpec): Built {
  const built: Built = { filters: [], predicates: [], problems: [] };
  const add = (o: ParseOutcome) => {
    if (o.problem) built.problems.push(o.problem);
    if (o.filter && o.predicate) {
      built.filters.push(o.filter);
      built.predicates.push(o.predicate);
    }
  };
  for (const text of spec.filters ?? []) {
    if (typeof text !== 'string') {
      built.problems.push(
        makeProblem({
          code: 'FILTER_MALFORMED',
          field: 'filters',
          text: `a filter must be a string, found ${JSON.stringify(text)}`,
          remediation: 'Send filters as kind:value strings.',
        }),
      );
      continue;
    }
    add(parseVmFilter(text));
  }
  const options: Array<[keyof VmFilterSpec, VmFilterKind, string]> = [
    ['minCpu', 'min-cpu', '--min-cpu'],
    ['maxCpu', 'max-cpu', '--max-cpu'],
    ['minRamGb', 'min-ram', '--min-ram'],
    ['maxDiskGb', 'max-disk', '--max-disk'],
  ];
  for (const [key, kind, flag] of options) {
    const v = spec[key];
    if (v === undefined || v === null) continue;
    const outcome = parseKindValue(kind, String(v), `${flag} ${String(v)}`);
    add(outcome);
  }
  const bound = (k: VmFilterKind) =>
    built.filters.filter(f => f.kind === k).map(f => f.value as number);
  const minCpu = Math.max(...bound('min-cpu'));
  const maxCpu = Math.min(...bound('max-cpu'));
  if (minCpu > maxCpu) {
    built.problems.push(
      makeProblem({
        code: 'FILTER_CONTRADICTORY',
        severity: 'warning',
        field: 'min-cpu / max-cpu',
        text: `min-cpu ${minCpu} is above max-cpu ${maxCpu}: no VM can match`,
        remediation: 'Lower min-cpu or raise max-cpu.',
      }),
    );
  }
  return built;
}
