import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useLiveUpdates } from '../../hooks/useLiveUpdates';
import {
  Content,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { Button, Typography } from '@material-ui/core';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { fetchAllPages } from '../../lib/apps';
import { formatDateTime, formatDuration } from '../../lib/format';
import { statusLabel } from '../../lib/status';
import { requestRouteRef, rootRouteRef } from '../../routes';
import { StatusChip } from '../StatusChip';

export function requestTitle(request: AccessRequest): string {
  if (request.kind === 'intake') {
    return `New app: ${request.intake?.name ?? request.appName}`;
  }
  return request.appName;
}

/** The signed-in user's requests, newest first. */
export const MyRequestsPage = () => {
  const api = useApi(appAccessApiRef);
  const requestRoute = useRouteRef(requestRouteRef);
  const rootRoute = useRouteRef(rootRouteRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => fetchAllPages(cursor => api.listMyRequests({ limit: 100, cursor })),
    [api],
  );
  // Any change to one of them shows without a reload.
  useLiveUpdates(() => retry());

  if (loading && !value) {
    return (
      <Content>
        <Progress />
      </Content>
    );
  }
  if (error) {
    return (
      <Content>
        <ResponseErrorPanel error={error} />
      </Content>
    );
  }
  const requests = [...(value ?? [])].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  if (requests.length === 0) {
    return (
      <Content>
        <EmptyState
          missing="content"
          title="You haven't requested any apps yet"
          description="Pick an app from the catalog and follow its progress here."
          action={
            <Button
              variant="contained"
              color="primary"
              component={RouterLink}
              to={rootRoute()}
            >
              Browse apps
            </Button>
          }
        />
      </Content>
    );
  }

  const columns: TableColumn<AccessRequest>[] = [
    {
      title: 'App',
      field: 'appName',
      highlight: true,
      render: request => (
        <Link to={requestRoute({ requestId: request.id })}>
          {requestTitle(request)}
        </Link>
      ),
    },
    {
      title: 'Tier',
      field: 'tierName',
      render: request => request.tierName ?? '—',
    },
    {
      title: 'Status',
      field: 'status',
      customSort: (a, b) =>
        statusLabel(a.status).localeCompare(statusLabel(b.status)),
      render: request => <StatusChip status={request.status} />,
    },
    {
      title: 'Submitted',
      field: 'createdAt',
      defaultSort: 'desc',
      render: request => (
        <Typography variant="body2" title={formatDateTime(request.createdAt)}>
          {formatDuration(request.createdAt)} ago
        </Typography>
      ),
    },
    {
      title: 'Last update',
      field: 'updatedAt',
      render: request => formatDateTime(request.updatedAt),
    },
  ];

  return (
    <Content>
      <Table<AccessRequest>
        title="My requests"
        columns={columns}
        data={requests}
        options={{
          paging: requests.length > 20,
          pageSize: 20,
          search: true,
          padding: 'dense',
        }}
      />
    </Content>
  );
};
