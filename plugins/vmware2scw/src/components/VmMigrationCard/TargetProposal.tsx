import { Flex, Link, Text } from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatMonthlyEur, formatTimestamp } from '../../format/quantities';

/** The recommendation of the default strategy (`recommended`), else the first one the backend gave. */
export function recommendationOf(
  assessment: ApiModel.VmAssessment,
): ApiModel.SizingRecommendation | undefined {
  return (
    assessment.recommendations.find(
      r =>
        r.targetType !== undefined && r.targetType === assessment.recommended,
    ) ?? assessment.recommendations.find(r => r.targetType !== undefined)
  );
}

/** Where the prices come from: live catalog or the dated offline snapshot (with why). */
export function pricingNote(pricing: ApiModel.PricingSource): string {
  const source =
    pricing.source === 'live' ? 'live Scaleway prices' : 'offline price list';
  return `${source} of ${formatTimestamp(pricing.pricedAt)}, zone ${
    pricing.zone
  }${pricing.fallbackReason ? ` (${pricing.fallbackReason})` : ''}`;
}

/** The Scaleway type proposed for the VM, its monthly cost, why, and the price date. */
export function TargetProposal(props: {
  assessment: ApiModel.VmAssessment;
  planLink?: (planId: string) => string;
}) {
  const { assessment, planLink } = props;
  const rec = recommendationOf(assessment);
  return (
    <Flex direction="column" gap="1">
      {rec?.targetType ? (
        <>
          <Text>
            <Text weight="bold">{rec.targetType}</Text>
            {rec.vcpus !== undefined &&
              ` · ${rec.vcpus} vCPU, ${rec.memoryGiB ?? '?'} GiB`}
            {rec.monthlyTotalEur !== undefined &&
              ` · ${formatMonthlyEur(rec.monthlyTotalEur)}`}
          </Text>
          <Text variant="body-small">
            Sizing ({rec.strategy}, from {rec.basis}): {rec.reason}
          </Text>
        </>
      ) : (
        <Text color="danger">
          No Scaleway type fits this VM
          {rec?.problem ? `: ${rec.problem.message}` : ''}
          {rec?.problem ? ` Remediation: ${rec.problem.remediation}` : ''}
        </Text>
      )}
      <Text variant="body-small" color="secondary">
        Prices: {pricingNote(assessment.pricing)}
      </Text>
      {!assessment.migratable && (
        <Text color="danger">
          Not migratable as is: a critical concern blocks it (see below).
        </Text>
      )}
      {(assessment.plans ?? []).length > 0 && (
        <Text variant="body-small">
          In plan{assessment.plans!.length > 1 ? 's' : ''}:{' '}
          {assessment.plans!.map((p, i) => (
            <span key={p.planId}>
              {i > 0 && ', '}
              {planLink ? (
                <Link href={planLink(p.planId)}>{p.planName}</Link>
              ) : (
                p.planName
              )}
              {p.wave && ` (wave ${p.wave})`}
              {p.targetType && ` as ${p.targetType}`}
            </span>
          ))}
        </Text>
      )}
    </Flex>
  );
}
