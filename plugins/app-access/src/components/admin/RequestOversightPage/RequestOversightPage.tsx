import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Badge,
  Box,
  Button,
  Checkbox,
  ListItemText,
  MenuItem,
  Snackbar,
  Tab,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  AccessRequest,
  appAccessRequestReadAllPermission,
  REQUEST_STATUSES,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { fetchAllPages } from '../../../lib/apps';
import {
  formatDateTime,
  formatDuration,
  moduleLabel,
} from '../../../lib/format';
import { statusLabel } from '../../../lib/status';
import { EntityName } from '../../EntityName';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { StatusChip } from '../../StatusChip';
import { AdminGate } from '../AdminGate';
import { FilterBar, FilterField } from '../FilterBar';
import { EntityRefPicker } from '../EntityRefPicker';
import { ActionOutcome, RequestActions } from '../RequestActions';
import { useAdminPaths } from '../lib/adminPaths';
import { DeadJobs } from './DeadJobs';
import { Leavers } from './Leavers';
import { Removals } from './Removals';
import { MessageText } from '../../MessageText';
import { NO_WRAP } from '../lib/tableLayout';

export type RequestFilters = {
  status: RequestStatus[];
  appId: string;
  requester: string;
  olderThanDays: string;
};

const NO_FILTERS: RequestFilters = {
  status: [],
  appId: '',
  requester: '',
  olderThanDays: '',
};

const PAGE = 100;

function toQuery(f: RequestFilters) {
  const days = Number(f.olderThanDays);
  return {
    status: f.status.length ? f.status : undefined,
    appId: f.appId || undefined,
    requester: f.requester.trim() || undefined,
    olderThanDays:
      f.olderThanDays.trim() && Number.isFinite(days) && days >= 0
        ? days
        : undefined,
  };
}

const RequestsTab = ({
  onOutcome,
}: {
  onOutcome: (o: ActionOutcome) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<RequestFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<RequestFilters>(NO_FILTERS);
  useDebounce(() => setApplied(filters), 300, [filters]);
  const [reload, setReload] = useState(0);

  const days = filters.olderThanDays.trim();
  const daysError =
    days &&
    (!Number.isFinite(Number(days)) || Number(days) < 0 || Number(days) > 3650)
      ? 'A number of days from 0 to 3650'
      : undefined;

  const apps = useAsync(
    () => fetchAllPages(c => api.listAdminApps({ limit: 200, cursor: c })),
    [api],
  );

  const fetchPage = useCallback(
    (from?: string) =>
      api.listAdminRequests({ ...toQuery(applied), limit: PAGE, cursor: from }),
    [api, applied],
  );
  const { items, cursor, error, loading, loadMore } =
    useCursorPages<AccessRequest>(fetchPage, reload);

  const done = (o: ActionOutcome) => {
    onOutcome(o);
    if (o.severity === 'success') {
      setReload(r => r + 1);
    }
  };

  const set = (next: Partial<RequestFilters>) =>
    setFilters(f => ({ ...f, ...next }));

  const columns: TableColumn<AccessRequest>[] = [
    {
      title: 'Request',
      field: 'appName',
      highlight: true,
      render: r => (
        <Link to={paths.request(r.id)}>
          {r.kind === 'intake' ? `New app: ${r.appName}` : r.appName}
          {r.tierName ? ` — ${r.tierName}` : ''}
        </Link>
      ),
    },
    {
      title: 'Requester',
      field: 'requester',
      render: r => <EntityName entityRef={r.requester} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: r => (
        <>
          <StatusChip status={r.status} />
          {r.status === 'pending_approval' && r.level > 0 && (
            <Typography variant="caption" display="block">
              level {r.level}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Submitted',
      field: 'createdAt',
      render: r => (
        <span title={formatDateTime(r.createdAt)}>
          {formatDuration(r.createdAt)} ago
        </span>
      ),
    },
    {
      title: 'Fulfilment',
      field: 'fulfilledBy',
      render: r => (
        <>
          {moduleLabel(r.fulfilledBy)}
          {r.externalRef && (
            <Typography variant="caption" display="block">
              {r.externalUrl ? (
                <Link to={r.externalUrl}>{r.externalRef}</Link>
              ) : (
                r.externalRef
              )}
            </Typography>
          )}
          {r.failureReason && (
            <Typography variant="caption" display="block" color="error">
              {r.failureReason}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: '',
      field: 'actions',
      sorting: false,
      cellStyle: NO_WRAP,
      render: r => <RequestActions request={r} onDone={done} />,
    },
  ];

  return (
    <>
      <FilterBar
        label="Filters"
        onClear={() => setFilters(NO_FILTERS)}
        clearDisabled={filters === NO_FILTERS}
      >
        <FilterField>
          <TextField
            select
            id="app-access-requests-status"
            label="Status"
            fullWidth
            margin="normal"
            value={filters.status}
            SelectProps={{
              multiple: true,
              renderValue: v =>
                (v as string[]).length
                  ? (v as string[]).map(statusLabel).join(', ')
                  : 'Any',
              displayEmpty: true,
            }}
            InputLabelProps={{ shrink: true }}
            onChange={e =>
              set({ status: e.target.value as unknown as RequestStatus[] })
            }
          >
            {REQUEST_STATUSES.map(s => (
              <MenuItem key={s} value={s}>
                <Checkbox checked={filters.status.includes(s)} size="small" />
                <ListItemText primary={statusLabel(s)} />
              </MenuItem>
            ))}
          </TextField>
        </FilterField>
        <FilterField>
          <TextField
            select
            id="app-access-requests-app"
            label="App"
            fullWidth
            margin="normal"
            value={filters.appId}
            SelectProps={{ displayEmpty: true }}
            InputLabelProps={{ shrink: true }}
            onChange={e => set({ appId: e.target.value })}
          >
            <MenuItem value="">Any app</MenuItem>
            {(apps.value ?? []).map(a => (
              <MenuItem key={a.id} value={a.id}>
                {a.name}
              </MenuItem>
            ))}
          </TextField>
        </FilterField>
        <FilterField>
          <EntityRefPicker
            id="app-access-requests-requester"
            label="Requester"
            kinds={['User']}
            value={filters.requester}
            onChange={requester => set({ requester })}
            placeholder="user:default/jane.doe"
          />
        </FilterField>
        <FilterField>
          <TextField
            id="app-access-requests-age"
            label="Older than (days)"
            type="number"
            inputProps={{ min: 0, max: 3650 }}
            fullWidth
            margin="normal"
            value={filters.olderThanDays}
            onChange={e => set({ olderThanDays: e.target.value })}
            error={Boolean(daysError)}
            helperText={daysError}
          />
        </FilterField>
      </FilterBar>
      {error && <ResponseErrorPanel error={error} />}
      {!items && loading && <Progress />}
      {items && (
        <Table<AccessRequest>
          title={`Requests (${items.length}${cursor ? '+' : ''})`}
          isLoading={loading}
          options={{
            paging: items.length > 25,
            pageSize: 25,
            // Table's own options are 5, 10 and 20; the page size must be one of them.
            pageSizeOptions: [25, 50, 100],
            headerStyle: NO_WRAP,
            search: false,
            padding: 'dense',
          }}
          columns={columns}
          data={items}
          onRowClick={(_e, r) => r && navigate(paths.request(r.id))}
          emptyContent={
            <Box p={3}>
              <Typography color="textSecondary">
                No request matches these filters.
              </Typography>
            </Box>
          }
        />
      )}
      {cursor && (
        <Box mt={2} textAlign="center">
          <Button onClick={loadMore} disabled={loading}>
            Load more
          </Button>
        </Box>
      )}
    </>
  );
};

const OversightContent = () => {
  const api = useApi(appAccessApiRef);
  const [tab, setTab] = useState<'requests' | 'removals' | 'dead' | 'leavers'>(
    'requests',
  );
  const [outcome, setOutcome] = useState<ActionOutcome>();
  const [deadVersion, setDeadVersion] = useState(0);
  const counts = useAsync(async () => {
    try {
      return (await api.listOutbox({ status: 'dead', limit: 1 })).counts;
    } catch {
      return undefined;
    }
  }, [api, deadVersion]);
  const dead = counts.value?.dead ?? 0;

  return (
    <>
      <ContentHeader title="Requests" />
      <Tabs
        value={tab}
        onChange={(_e, v) => setTab(v)}
        indicatorColor="primary"
        aria-label="Requests and dead jobs"
      >
        <Tab value="requests" label="All requests" />
        <Tab value="removals" label="Removals" />
        <Tab
          value="dead"
          label={
            <Badge color="error" badgeContent={dead} invisible={dead === 0}>
              <span style={{ paddingRight: dead ? 12 : 0 }}>Dead jobs</span>
            </Badge>
          }
          aria-label="Dead jobs"
        />
        <Tab value="leavers" label="People who left" />
      </Tabs>
      <Box mt={2}>
        {tab === 'requests' && <RequestsTab onOutcome={setOutcome} />}
        {tab === 'leavers' && <Leavers />}
        {tab === 'removals' && <Removals onOutcome={setOutcome} />}
        {tab === 'dead' && (
          <DeadJobs
            onOutcome={o => {
              setOutcome(o);
              setDeadVersion(v => v + 1);
            }}
          />
        )}
      </Box>
      <Snackbar
        open={Boolean(outcome)}
        autoHideDuration={6000}
        onClose={() => setOutcome(undefined)}
      >
        <Alert
          severity={outcome?.severity ?? 'success'}
          onClose={() => setOutcome(undefined)}
        >
          <MessageText text={outcome?.message ?? ''} />
        </Alert>
      </Snackbar>
    </>
  );
};

/** Every request, with filters, and the outbox's dead jobs: for admins keeping things moving. */
export const RequestOversightPage = () => (
  <AdminGate
    permission={appAccessRequestReadAllPermission}
    deniedTitle="You are not allowed to see all App Access requests"
  >
    <OversightContent />
  </AdminGate>
);
