import { ResponseErrorPanel } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ButtonLink,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  Skeleton,
  Text,
} from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../api';
import { useVmMigrationStatus } from '../../hooks/useVmMigrationStatus';
import { useMigrationPageLinks } from '../../links/migrationPageLinks';
import { useMigrateVmTemplateLink } from '../../links/migrateVmTemplate';
import { ConcernList } from '../shared/ConcernList';
import { Section } from '../shared/Section';
import { MigrationSummary } from './MigrationSummary';
import { TargetProposal } from './TargetProposal';
import { vmFactsOf } from './vmFacts';
import { VmFactsTable } from './VmFactsTable';

/**
 * Card on a VM's catalog page, for the VM's owners: the VM as vSphere has it, its concerns, the proposed
 * Scaleway type and cost, its plans, and its migration live (stage, progress per disk, last error).
 */
export const VmMigrationCard = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(vmware2scwApiRef);
  const facts = vmFactsOf(entity);
  const assessment = useAsync(
    () => api.getVmAssessment({ entityRef }),
    [api, entityRef],
  );
  const status = useVmMigrationStatus(entityRef);
  const templateLink = useMigrateVmTemplateLink(entityRef);
  const pageLinks = useMigrationPageLinks();

  return (
    <Card>
      <CardHeader>
        <Text as="h3" variant="title-small">
          Migration to Scaleway: {facts.name}
        </Text>
      </CardHeader>
      <CardBody>
        <Section title="Source">
          <VmFactsTable facts={facts} />
        </Section>
        <Section title="Proposed on Scaleway">
          {assessment.loading && <Skeleton width="100%" height={48} />}
          {assessment.error && <ResponseErrorPanel error={assessment.error} />}
          {assessment.value && (
            <TargetProposal
              assessment={assessment.value}
              planLink={pageLinks?.plan}
            />
          )}
        </Section>
        <Section
          title={`Concerns${
            assessment.value ? ` (${assessment.value.concerns.length})` : ''
          }`}
        >
          {assessment.loading && <Skeleton width="100%" height={48} />}
          {assessment.value && (
            <ConcernList concerns={assessment.value.concerns} />
          )}
        </Section>
        <Section title="Migration">
          {status.loading && <Skeleton width="100%" height={48} />}
          {status.error && <ResponseErrorPanel error={status.error} />}
          {status.value && (
            <MigrationSummary
              status={status.value}
              lastSignal={status.lastSignal}
              batchLink={pageLinks?.batch}
            />
          )}
        </Section>
      </CardBody>
      <CardFooter>
        <ButtonLink href={templateLink} variant="secondary">
          Migrate this VM with the template
        </ButtonLink>
      </CardFooter>
    </Card>
  );
};
