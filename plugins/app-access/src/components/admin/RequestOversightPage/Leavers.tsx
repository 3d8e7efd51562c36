import useAsync from 'react-use/esm/useAsync';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Typography } from '@material-ui/core';
import { Leaver } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { formatDateTime } from '../../../lib/format';
import { useAdminPaths } from '../lib/adminPaths';

/**
 * People who left the directory and the access App Access granted them. The
 * IdP usually removed it already; this is what to check at each vendor.
 */
export const Leavers = () => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const leavers = useAsync(() => api.listLeavers(), [api]);
  if (leavers.loading) {
    return <Progress />;
  }
  if (leavers.error) {
    return <ResponseErrorPanel error={leavers.error} />;
  }
  const columns: TableColumn<Leaver>[] = [
    {
      title: 'Person',
      field: 'ref',
      render: l => (
        <>
          {l.displayName ?? l.ref}
          <Typography variant="caption" color="textSecondary" component="div">
            {l.ref}
          </Typography>
        </>
      ),
    },
    {
      title: 'Left',
      field: 'leftAt',
      render: l => formatDateTime(l.leftAt),
    },
    {
      title: 'Access App Access granted',
      field: 'granted',
      render: l => (
        <ul aria-label={`Access granted to ${l.displayName ?? l.ref}`}>
          {l.granted.map(r => (
            <li key={r.id}>
              <Link to={paths.request(r.id)}>
                {[r.appName, r.tierName].filter(Boolean).join(' — ')}
              </Link>
            </li>
          ))}
        </ul>
      ),
    },
  ];
  return (
    <Table<Leaver>
      title="People who left"
      subtitle="Their open requests were cancelled and their approvals moved on. Check that each vendor removed this access."
      options={{ paging: false, search: false }}
      columns={columns}
      data={leavers.value?.items ?? []}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          Nobody who left holds access App Access granted.
        </Typography>
      }
    />
  );
};
