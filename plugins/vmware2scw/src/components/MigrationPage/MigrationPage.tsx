import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { vmware2scwApiRef } from '../../api';

/** The platform team's page. Shows what the backend is connected to; plans and waves come next. */
export const MigrationPage = () => {
  const api = useApi(vmware2scwApiRef);
  const { value, loading, error } = useAsync(() => api.getHealth(), [api]);
  return (
    <Content>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <InfoCard title="vmware2scw backend">
          <StructuredMetadataTable
            options={{ titleFormat: key => key }}
            metadata={{
              Version: value.version,
              vCenters: String(value.vcenters),
              'Conversion runners': String(value.runners),
              Scaleway: value.scaleway.configured
                ? `zone ${value.scaleway.defaultZone}`
                : 'not configured (planning uses the offline price list)',
            }}
          />
        </InfoCard>
      )}
    </Content>
  );
};
