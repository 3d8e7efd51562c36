import { memo } from 'react';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { Box, makeStyles } from '@material-ui/core';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { peerCounts } from '../../lib/peers';
import { appRouteRef } from '../../routes';
import { AppBadge } from '../AppBadge';
import { AppLogo } from '../AppLogo';
import { PeerUsageBadges } from '../PeerUsage';

const useStyles = makeStyles(theme => ({
  nameCell: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

/** Most used first (team, then role); for the table's "Used by" column. */
const byPeerUse = (a: CatalogApp, b: CatalogApp) => {
  const pa = peerCounts(a);
  const pb = peerCounts(b);
  return pa.team - pb.team || pa.role - pb.role;
};

export const AppsTable = memo(({ apps }: { apps: CatalogApp[] }) => {
  const classes = useStyles();
  const appRoute = useRouteRef(appRouteRef);
  const columns: TableColumn<CatalogApp>[] = [
    {
      title: 'App',
      field: 'name',
      highlight: true,
      render: app => (
        <Box className={classes.nameCell}>
          <AppLogo app={app} size="small" />
          <Link to={appRoute({ appId: app.id })}>{app.name}</Link>
        </Box>
      ),
    },
    { title: 'Vendor', field: 'vendor' },
    { title: 'Category', field: 'category' },
    {
      title: 'Tiers',
      sorting: false,
      render: app => app.tiers.map(tier => tier.name).join(', '),
    },
    {
      title: 'Used by',
      customSort: byPeerUse,
      render: app => <PeerUsageBadges app={app} />,
    },
    {
      title: 'Your access',
      sorting: false,
      render: app => <AppBadge app={app} />,
    },
  ];
  return (
    <Table<CatalogApp>
      columns={columns}
      data={apps}
      options={{
        paging: true,
        pageSize: 20,
        pageSizeOptions: [20, 50, 100],
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
    />
  );
});
AppsTable.displayName = 'AppsTable';

export default AppsTable;
