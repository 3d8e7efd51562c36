import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
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
  Box,
  Button,
  Chip,
  InputAdornment,
  makeStyles,
  Snackbar,
  Tab,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import AddIcon from '@material-ui/icons/Add';
import SearchIcon from '@material-ui/icons/Search';
import { appAccessAppManagePermission } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { AdminApp } from '../../../api/AppAccessApi';
import { fetchAllPages } from '../../../lib/apps';
import { ownerRef } from '../../../lib/format';
import { AppLogo } from '../../AppLogo';
import { EntityName } from '../../EntityName';
import { AdminGate } from '../AdminGate';
import { AppEditorDialog } from '../AppEditor';
import { useAdminPaths } from '../lib/adminPaths';
import { appToDraft, AppDraft, emptyDraft } from '../lib/appDraft';
import { DiscoveredInOkta } from './DiscoveredInOkta';
import { NO_WRAP } from '../lib/tableLayout';

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    margin: theme.spacing(2, 0),
  },
  search: {
    flex: '1 1 280px',
  },
  name: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
}));

/** The app name column's width at least, in px. */
const NAME_MIN_WIDTH = 240;

function emptyText(q: string, listed: boolean) {
  if (q) {
    return `No app matches “${q}”.`;
  }
  return listed
    ? 'No apps in the catalog yet.'
    : 'Every app is in the catalog.';
}

type Editing = {
  title: string;
  initial: AppDraft;
  isNew: boolean;
  savedListed?: boolean;
};

const AppsContent = () => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const [tab, setTab] = useState<'in' | 'out'>('in');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useDebounce(() => setQ(search.trim()), 250, [search]);
  const [editing, setEditing] = useState<Editing>();
  const [toast, setToast] = useState<string>();

  const listed = tab === 'in';
  const list = useAsyncRetry(
    () =>
      fetchAllPages(cursor =>
        api.listAdminApps({ listed, q: q || undefined, limit: 200, cursor }),
      ),
    [api, listed, q],
  );
  // Every app, to tell which Okta apps are already known.
  const all = useAsyncRetry(
    () => fetchAllPages(cursor => api.listAdminApps({ limit: 200, cursor })),
    [api],
  );

  const onSaved = (app: AdminApp, message: string) => {
    setEditing(undefined);
    setToast(message);
    if (app.listed !== listed) {
      setTab(app.listed ? 'in' : 'out');
    }
    list.retry();
    all.retry();
  };

  const columns: TableColumn<AdminApp>[] = useMemo(
    () => [
      {
        title: 'App',
        field: 'name',
        highlight: true,
        // Room for a logo and a name of a few words next to the other
        // columns (the cells' min-width widens the whole column).
        cellStyle: { minWidth: NAME_MIN_WIDTH },
        render: app => (
          <Box className={classes.name}>
            <AppLogo app={app} size="small" />
            <Link to={paths.app(app.id)}>{app.name}</Link>
          </Box>
        ),
      },
      { title: 'Id', field: 'id' },
      { title: 'Category', field: 'category' },
      { title: 'Vendor', field: 'vendor' },
      {
        title: 'Tiers',
        field: 'tiers',
        render: app =>
          app.tiers.length ? app.tiers.map(t => t.name).join(', ') : '—',
      },
      {
        title: 'Owner',
        field: 'owner',
        render: app =>
          app.owner ? <EntityName entityRef={ownerRef(app.owner)} /> : '—',
      },
      {
        title: 'Source',
        field: 'source',
        render: app => (
          <>
            {app.source ?? 'admin'}
            {app.adminModified && app.source !== 'admin' && (
              <Typography variant="caption" display="block">
                changed by an admin
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
        render: app =>
          app.listed ? (
            <Button size="small" component={RouterLink} to={paths.app(app.id)}>
              Edit
            </Button>
          ) : (
            <Button
              size="small"
              color="primary"
              variant="outlined"
              aria-label={`Add ${app.name} to catalog`}
              onClick={() =>
                setEditing({
                  title: `Add ${app.name} to the catalog`,
                  initial: { ...appToDraft(app), listed: true },
                  isNew: false,
                  savedListed: false,
                })
              }
            >
              Add to catalog
            </Button>
          ),
      },
    ],
    [classes.name, paths],
  );

  return (
    <>
      <ContentHeader title="Apps">
        <Button
          variant="contained"
          color="primary"
          startIcon={<AddIcon />}
          onClick={() =>
            setEditing({ title: 'New app', initial: emptyDraft(), isNew: true })
          }
        >
          New app
        </Button>
      </ContentHeader>
      <Tabs
        value={tab}
        onChange={(_e, v) => setTab(v)}
        indicatorColor="primary"
        aria-label="Apps in or not in the catalog"
      >
        <Tab value="in" label="In catalog" />
        <Tab value="out" label="Not in catalog" />
      </Tabs>
      <Box className={classes.toolbar}>
        <TextField
          className={classes.search}
          placeholder="Search by name, vendor or category"
          value={search}
          onChange={e => setSearch(e.target.value)}
          variant="outlined"
          size="small"
          inputProps={{ 'aria-label': 'Search apps' }}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon />
              </InputAdornment>
            ),
          }}
        />
        {list.value && (
          <Chip
            size="small"
            label={`${list.value.length} app${
              list.value.length === 1 ? '' : 's'
            }`}
          />
        )}
      </Box>
      {list.loading && !list.value && <Progress />}
      {list.error && <ResponseErrorPanel error={list.error} />}
      {list.value && (
        <Table<AdminApp>
          title={listed ? 'In the catalog' : 'Not in the catalog'}
          options={{
            paging: list.value.length > 20,
            pageSize: 20,
            headerStyle: NO_WRAP,
            search: false,
            padding: 'dense',
          }}
          columns={columns}
          data={list.value}
          emptyContent={
            <Box p={3}>
              <Typography color="textSecondary">
                {emptyText(q, listed)}
              </Typography>
            </Box>
          }
        />
      )}

      <DiscoveredInOkta
        knownApps={all.value}
        onAdd={initial =>
          setEditing({
            title: `Add ${initial.name} from Okta`,
            initial,
            isNew: true,
          })
        }
      />

      {editing && (
        <AppEditorDialog
          open
          title={editing.title}
          initial={editing.initial}
          isNew={editing.isNew}
          savedListed={editing.savedListed}
          onClose={() => setEditing(undefined)}
          onSaved={onSaved}
        />
      )}
      <Snackbar
        open={Boolean(toast)}
        autoHideDuration={5000}
        onClose={() => setToast(undefined)}
      >
        <Alert severity="success" onClose={() => setToast(undefined)}>
          {toast}
        </Alert>
      </Snackbar>
    </>
  );
};

/** The admin's list of apps: in the catalog, not in it, and discovered in Okta. */
export const AdminAppsPage = () => (
  <AdminGate
    permission={appAccessAppManagePermission}
    deniedTitle="You are not allowed to manage App Access apps"
  >
    <AppsContent />
  </AdminGate>
);
