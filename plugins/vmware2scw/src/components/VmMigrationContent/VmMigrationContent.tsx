import { ResponseErrorPanel } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ButtonLink,
  Card,
  CardBody,
  Flex,
  Link,
  Skeleton,
  Text,
} from '@backstage/ui';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../api';
import { formatTimestamp } from '../../format/quantities';
import { useVmMigrationStatus } from '../../hooks/useVmMigrationStatus';
import { useMigrateVmTemplateLink } from '../../links/migrateVmTemplate';
import { useMigrationPageLinks } from '../../links/migrationPageLinks';
import { scalewayResourcesOf } from '../../links/scalewayConsole';
import { Section } from '../shared/Section';
import { StateLabel } from '../shared/StateLabel';
import { MigrationSummary } from '../VmMigrationCard/MigrationSummary';
import { EventList } from './EventList';
import { StageTimeline } from './StageTimeline';

function Approvals(props: { wave: ApiModel.Wave }) {
  if (props.wave.approvals.length === 0) return null;
  return (
    <ul aria-label="Approvals">
      {props.wave.approvals.map(a => (
        <li key={`${a.by}:${a.at}`}>
          <Text>
            Wave {props.wave.name} {a.decision} by {a.by} on{' '}
            {formatTimestamp(a.at)}
            {a.comment && `: “${a.comment}”`}
          </Text>
        </li>
      ))}
    </ul>
  );
}

function ScalewayResources(props: { migration: ApiModel.Migration }) {
  const resources = scalewayResourcesOf(props.migration);
  if (resources.length === 0)
    return <Text color="secondary">Nothing created on Scaleway yet.</Text>;
  return (
    <ul aria-label="Scaleway resources">
      {resources.map(r => (
        <li key={`${r.kind}:${r.id}`}>
          <Text>
            {r.kind} <code>{r.id}</code> ({r.zone}){' '}
            <Link href={r.url} target="_blank" rel="noopener">
              open in the Scaleway console
            </Link>
          </Text>
        </li>
      ))}
    </ul>
  );
}

function Leftovers(props: { migration: ApiModel.Migration }) {
  const leftovers = props.migration.leftovers ?? [];
  if (leftovers.length === 0) return null;
  return (
    <Section title="Left behind (to clean up)">
      <ul aria-label="Leftovers">
        {leftovers.map(l => (
          <li key={`${l.kind}:${l.id}`}>
            <Text>
              {l.kind.replace(/_/g, ' ')} <code>{l.id}</code> in {l.where}
            </Text>
          </li>
        ))}
      </ul>
    </Section>
  );
}

/**
 * The "Migration" tab of a VM's page: the stage timeline (durations, sizes, runner), the Scaleway ids
 * with console links, and the audit trail of who approved, retried or cancelled.
 */
export const VmMigrationContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(vmware2scwApiRef);
  const status = useVmMigrationStatus(entityRef);
  const templateLink = useMigrateVmTemplateLink(entityRef);
  const pageLinks = useMigrationPageLinks();
  const migration = status.value?.migration;
  // Refetched with the status: every change the engine signals may add an event.
  const events = useAsync(
    async () =>
      migration
        ? (await api.listMigrationEvents({ migrationId: migration.id })).items
        : [],
    [api, migration?.id, status.value],
  );

  if (status.loading) return <Skeleton width="100%" height={240} />;
  if (status.error && !status.value)
    return <ResponseErrorPanel error={status.error} />;
  if (!status.value) return null;

  return (
    <Card>
      <CardBody>
        {status.error && <ResponseErrorPanel error={status.error} />}
        <Section title="Migration">
          <MigrationSummary
            status={status.value}
            lastSignal={status.lastSignal}
            batchLink={pageLinks?.batch}
          />
          {!migration && (
            <Flex mt="2">
              <ButtonLink href={templateLink} variant="primary">
                Migrate this VM with the template
              </ButtonLink>
            </Flex>
          )}
        </Section>
        {migration && (
          <>
            <Section title="Stages">
              <Text variant="body-small" color="secondary">
                Runner: {migration.runnerId ?? 'none assigned yet'} · target{' '}
                {migration.targetType ?? 'not resolved yet'} in {migration.zone}
              </Text>
              <StageTimeline migration={migration} />
            </Section>
            <Section title="On Scaleway">
              <ScalewayResources migration={migration} />
            </Section>
            <Leftovers migration={migration} />
            <Section title="Events">
              {status.value.wave && <Approvals wave={status.value.wave} />}
              {events.error && <ResponseErrorPanel error={events.error} />}
              {events.value && <EventList events={events.value} />}
            </Section>
          </>
        )}
        {(status.value.history ?? []).length > 0 && (
          <Section title="Earlier migrations">
            <ul aria-label="Earlier migrations">
              {status.value.history!.map(h => (
                <li key={h.migrationId}>
                  <StateLabel state={h.state} />{' '}
                  <Text>
                    {formatTimestamp(h.createdAt)}, batch{' '}
                    {pageLinks ? (
                      <Link href={pageLinks.batch(h.batchId)}>{h.batchId}</Link>
                    ) : (
                      h.batchId
                    )}
                  </Text>
                </li>
              ))}
            </ul>
          </Section>
        )}
      </CardBody>
    </Card>
  );
};
