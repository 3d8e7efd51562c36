import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Typography } from '@material-ui/core';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { formatDateTime } from '../../lib/format';
import { howGranted, STATUS, until, useGrantActions } from './GrantDialogs';

export { howGranted, until } from './GrantDialogs';

/** What the signed-in user holds through App Access, with Extend and Remove. */
export const MyAccessPage = () => {
  const api = useApi(appAccessApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listMyAccess(),
    [api],
  );
  const actions = useGrantActions(retry);

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
  const grants = value?.items ?? [];

  const columns: TableColumn<AccessGrant>[] = [
    {
      title: 'App',
      render: g => (
        <Typography variant="body2">
          <strong>{g.appName}</strong>
        </Typography>
      ),
    },
    { title: 'Tier', field: 'tierName' },
    { title: 'Since', render: g => formatDateTime(g.grantedAt) },
    { title: 'Until', render: g => until(g) },
    { title: 'How granted', render: g => howGranted(g) },
    { title: 'Status', render: g => STATUS[g.status] },
    { title: '', render: g => actions.buttons(g) },
  ];

  return (
    <Content>
      {actions.dialogs}
      {grants.length === 0 ? (
        <EmptyState
          missing="content"
          title="You hold no access through App Access"
          description="Access you request and are granted shows here, with when it ends."
        />
      ) : (
        <Table<AccessGrant>
          title="My access"
          options={{ paging: false, search: false }}
          columns={columns}
          data={grants}
        />
      )}
    </Content>
  );
};
