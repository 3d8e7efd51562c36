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
import { Box, Typography } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { formatDateTime } from '../../lib/format';
import {
  howGranted,
  reclaimQuestion,
  reclaimWhy,
  STATUS,
  until,
  useGrantActions,
} from './GrantDialogs';

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
    {
      title: 'Status',
      render: g =>
        g.reclaim && g.status === 'active' ? (
          <>
            {STATUS[g.status]}
            <Typography variant="caption" display="block" color="error">
              {reclaimQuestion(g)}
            </Typography>
          </>
        ) : (
          STATUS[g.status]
        ),
    },
    { title: '', render: g => actions.buttons(g) },
  ];

  return (
    <Content>
      {actions.dialogs}
      {grants
        .filter(g => g.reclaim && g.status === 'active')
        .map(g => (
          <Box mb={2} key={g.id}>
            <Alert
              severity="warning"
              role="region"
              aria-label={`${g.appName} ${g.tierName}: keep it or give it back?`}
              action={actions.reclaimButtons(g)}
            >
              <AlertTitle>
                {g.appName} {g.tierName}: {reclaimQuestion(g)}
              </AlertTitle>
              {reclaimWhy(g)}
              {g.reclaim?.message && (
                <Typography variant="body2">
                  From your admins: {g.reclaim.message}
                </Typography>
              )}
            </Alert>
          </Box>
        ))}
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
