import {
  isCollection,
  isMap,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { z } from 'zod';
import { makeProblem, type Problem } from '../problems/Problem';
import { PlanningError } from '../problems/PlanningError';
import { formatKeyPath } from '../problems/formatKeyPath';
import { parsePlan, type PlanParseResult } from './PlanParser';
import { isSafePlain } from './PlanSerializer';
import {
  PLAN_MAX_BYTES,
  PLAN_READ_OPTIONS,
  PLAN_WRITE_STRING_OPTIONS,
} from './planYaml';

/**
 * Edits the tool makes to a plan file a user may have written by hand (set a target type, add an
 * entry, drop an exclude). They go through the YAML document, not through the parsed plan, so the
 * user's comments, key order, quoting and blank lines stay where they were.
 */
const pathSchema = z
  .array(z.union([z.string().min(1), z.number().int().nonnegative()]))
  .min(1);

export const planEditSchema = z.discriminatedUnion('op', [
  /** Set a value, creating missing mappings on the way. */
  z.object({ op: z.literal('set'), path: pathSchema, value: z.unknown() }),
  /** Remove a key or a list item. */
  z.object({ op: z.literal('delete'), path: pathSchema }),
  /** Append an item to a list (created if missing). */
  z.object({ op: z.literal('append'), path: pathSchema, value: z.unknown() }),
]);
export type PlanEdit = z.infer<typeof planEditSchema>;

export interface PlanEditResult extends PlanParseResult {
  /** The edited file. */
  text: string;
}

/**
 * Applies `edits` in order and re-validates. The result may hold problems (an edit can make a plan
 * invalid); the caller decides whether to save. Throws a PlanningError when the file is not valid
 * YAML (nothing safe to edit) or an edit's path does not exist.
 */
export function editPlanText(
  text: string,
  edits: readonly PlanEdit[],
  options: { file?: string } = {},
): PlanEditResult {
  const { file } = options;
  if (text.length > PLAN_MAX_BYTES)
    throw PlanningError.fromProblems(parsePlan(text, { file }).problems);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...PLAN_READ_OPTIONS, lineCounter });
  if (doc.errors.length) {
    throw PlanningError.fromProblems(
      parsePlan(text, { file }).problems.filter(p => p.severity === 'error'),
    );
  }
  const problems: Problem[] = [];
  for (const [i, edit] of edits.entries()) {
    const where = formatKeyPath(edit.path);
    const fail = (why: string) =>
      problems.push(
        makeProblem({
          code: 'PLAN_EDIT_INVALID',
          file,
          field: where,
          text: `edit #${i + 1} (${edit.op}): ${why}`,
          remediation:
            'Reload the plan and retry: it may have changed since it was read.',
        }),
      );
    // Every list index on the way must exist: "set" does not grow lists (that is "append").
    for (let k = 0; k < edit.path.length; k++) {
      const seg = edit.path[k];
      const last = k === edit.path.length - 1;
      if (
        typeof seg === 'number' &&
        !(last && edit.op === 'append') &&
        !doc.hasIn(edit.path.slice(0, k + 1))
      ) {
        fail(
          `no item ${seg} in ${
            formatKeyPath(edit.path.slice(0, k)) || 'the plan'
          }`,
        );
        break;
      }
    }
    if (problems.length) continue;
    switch (edit.op) {
      case 'set': {
        const value =
          edit.value !== null &&
          (typeof edit.value === 'object' || typeof edit.value === 'string')
            ? quotedNode(doc, edit.value)
            : edit.value;
        try {
          doc.setIn(edit.path, value);
        } catch (e) {
          fail(e instanceof Error ? e.message : String(e));
        }
        break;
      }
      case 'delete':
        if (doc.hasIn(edit.path)) doc.deleteIn(edit.path);
        else fail('nothing at this path');
        break;
      case 'append': {
        const target = doc.getIn(edit.path, true);
        if (target !== undefined && !isSeq(target)) {
          fail('not a list');
          break;
        }
        const node = quotedNode(doc, edit.value);
        // Follow the list's layout: blank lines between entries if the user has them.
        if (
          isSeq(target) &&
          target.items.length > 1 &&
          (target.items[1] as YamlNode).spaceBefore
        ) {
          node.spaceBefore = true;
        }
        if (isCollection(node) && isSeq(target) && target.flow)
          node.flow = true;
        doc.addIn(edit.path, node);
        break;
      }
      default:
        fail('unknown operation');
    }
  }
  if (problems.length) throw PlanningError.fromProblems(problems);
  const edited = doc.toString(PLAN_WRITE_STRING_OPTIONS);
  return { text: edited, ...parsePlan(edited, { file }) };
}

/**
 * A node for a value the tool writes, with its strings double-quoted unless they are plain words:
 * the old tool reads plans as YAML 1.1, where `1:30`, `2026-01-01` or `1_000` are not strings. The
 * user's own values are left as they wrote them.
 */
function quotedNode(doc: Document, value: unknown): YamlNode {
  const node = doc.createNode(value) as YamlNode;
  visit(node, {
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && !isSafePlain(scalar.value))
        scalar.type = 'QUOTE_DOUBLE';
    },
  });
  return node;
}

/** The path of the `migrations` entry that names `vmName` (by `vm_name`), if any. */
export function migrationPathForVm(
  text: string,
  vmName: string,
): Array<string | number> | undefined {
  const doc = parseDocument(text, PLAN_READ_OPTIONS);
  const migrations = doc.get('migrations', true);
  if (!isSeq(migrations)) return undefined;
  const index = migrations.items.findIndex(
    item => isMap(item) && item.get('vm_name') === vmName,
  );
  return index >= 0 ? ['migrations', index] : undefined;
}
