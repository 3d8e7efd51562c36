import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ContentHeader,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Button, Typography } from '@material-ui/core';
import {
  appAccessRequestManagePermission,
  ReclaimCampaign,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { formatDateTime } from '../../../lib/format';
import { AdminGate } from '../AdminGate';
import { useAdminPaths } from '../lib/adminPaths';
import { NO_WRAP } from '../lib/tableLayout';
import { formatMoney } from '../UsagePage/UsagePage';
import {
  CAMPAIGN_STATUS,
  CampaignProgress,
  campaignScope,
} from './campaignText';

const CampaignList = () => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const list = useAsyncRetry(() => api.listCampaigns(), [api]);

  if (list.loading && !list.value) return <Progress />;
  if (list.error) {
    return (
      <>
        <ResponseErrorPanel error={list.error} />
        <Button onClick={list.retry}>Try again</Button>
      </>
    );
  }
  const items = list.value?.items ?? [];
  if (items.length === 0) {
    return (
      <EmptyState
        missing="content"
        title="No campaign yet"
        description="A campaign asks the holders who have not signed in for a while to keep their access or give it back. Start one here, or with Reclaim on the Usage page."
        action={
          <Button
            variant="contained"
            color="primary"
            component={RouterLink}
            to={paths.newCampaign()}
          >
            New campaign
          </Button>
        }
      />
    );
  }
  const columns: TableColumn<ReclaimCampaign>[] = [
    {
      title: 'Campaign',
      render: c => <Link to={paths.campaign(c.id)}>{campaignScope(c)}</Link>,
    },
    {
      title: 'Rule',
      render: c => `No sign-in for ${c.inactiveDays} days`,
    },
    {
      title: 'Status',
      render: c =>
        c.source === 'policy'
          ? `${CAMPAIGN_STATUS[c.status]} (auto-reclaim)`
          : CAMPAIGN_STATUS[c.status],
    },
    { title: 'Progress', render: c => <CampaignProgress campaign={c} /> },
    { title: 'Kept', render: c => c.counts.kept, type: 'numeric' },
    {
      title: 'Removed',
      render: c => c.counts.removed,
      type: 'numeric',
    },
    {
      title: 'Saved a month',
      render: c => formatMoney(c.monthlySaving, c.currency) || '—',
      cellStyle: NO_WRAP,
    },
    {
      title: 'Deadline',
      render: c => formatDateTime(c.deadlineAt),
      cellStyle: NO_WRAP,
    },
  ];
  return (
    <Table<ReclaimCampaign>
      title="Campaigns, running first"
      options={{ paging: items.length > 20, pageSize: 20, search: false }}
      columns={columns}
      data={items}
    />
  );
};

/** Reclamation campaigns: unused seats offered back, with their progress. */
export const CampaignsPage = () => {
  const paths = useAdminPaths();
  return (
    <AdminGate
      permission={appAccessRequestManagePermission}
      deniedTitle="You are not allowed to run reclamation campaigns"
    >
      <ContentHeader title="Campaigns">
        <Button
          variant="contained"
          color="primary"
          component={RouterLink}
          to={paths.newCampaign()}
        >
          New campaign
        </Button>
      </ContentHeader>
      <Typography variant="body2" paragraph>
        Each holder who matches the rule is asked “Keep it or give it back?” in
        their channels. Giving it back, or not answering by the deadline,
        removes the access through its fulfiller; keeping it takes a reason.
      </Typography>
      <CampaignList />
    </AdminGate>
  );
};
