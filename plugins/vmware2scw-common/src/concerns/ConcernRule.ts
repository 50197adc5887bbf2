import { z } from 'zod';
import type { ScalewayOffer, OfferedServerType } from '../offer/ScalewayOffer';
import type { Vm } from '../inventory/model';
import type { SizingResult } from '../sizing/sizing';

/**
 * Concern rules, after Forklift's validation policies: each rule is data (id, severity, label,
 * remediation) plus a check. `critical` means the tool cannot migrate the VM as it is; `warning`
 * means it can, with a consequence the owner must accept or a step to take first; `info` is worth
 * knowing. The same rules feed the estimate and the `validate` stage.
 */
export const concernSeveritySchema = z.enum(['critical', 'warning', 'info']);
export type ConcernSeverity = z.infer<typeof concernSeveritySchema>;

export const concernCategorySchema = z.enum(['vmware', 'scaleway']);
export type ConcernCategory = z.infer<typeof concernCategorySchema>;

/** One finding on one VM. */
export const concernSchema = z.object({
  ruleId: z.string(),
  severity: concernSeveritySchema,
  category: concernCategorySchema,
  label: z.string(),
  /** What was found on this VM, with its figures. */
  assessment: z.string(),
  remediation: z.string(),
  /** The device concerned, e.g. `Hard disk 2`, when the rule is about one device. */
  subject: z.string().optional(),
});
export type Concern = z.infer<typeof concernSchema>;

/**
 * What a rule may look at. `target` is the Scaleway type the VM goes to (the plan's `target_type`,
 * or sizing's choice); rules about the target are skipped when it is unknown. `catalog` is the
 * zone's catalog, `sizing` the sizing outcome when sizing was asked to choose.
 */
export interface ConcernContext {
  vm: Vm;
  zone?: string;
  target?: { name: string; type?: OfferedServerType };
  catalog?: ScalewayOffer;
  sizing?: SizingResult;
}

export interface Finding {
  assessment: string;
  subject?: string;
}

export interface ConcernRule {
  /** Stable id; Forklift's where the concern is the same (`vmware.disk.rdm.detected`). */
  id: string;
  severity: ConcernSeverity;
  category: ConcernCategory;
  label: string;
  remediation: string;
  /** `target`: needs the target type; `zone`: needs the catalog; `vm`: the VM alone. */
  scope: 'vm' | 'target' | 'zone';
  check(ctx: ConcernContext): Finding[];
}

/** A rule without its check: what the UI and the docs list. */
export type ConcernRuleInfo = Omit<ConcernRule, 'check'>;
