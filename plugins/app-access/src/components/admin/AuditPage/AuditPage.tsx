import { useCallback, useState } from 'react';
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
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  appAccessAuditReadPermission,
  RequestEvent,
  RequestEventType,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { AuditQuery } from '../../../api/AppAccessApi';
import { getErrorMessage } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { statusLabel } from '../../../lib/status';
import { EntityName } from '../../EntityName';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { AdminGate } from '../AdminGate';
import { FilterBar, FilterField } from '../FilterBar';
import { useAdminPaths } from '../lib/adminPaths';
import { dayToIso, saveBlob } from '../lib/download';
import { ShortId } from '../../ShortId';
import { DATE_FIELD, NO_WRAP } from '../lib/tableLayout';

export const EVENT_LABELS: Record<RequestEventType, string> = {
  submitted: 'Submitted',
  status_changed: 'Status changed',
  approval_requested: 'Approval requested',
  approved: 'Approved',
  denied: 'Denied',
  reminder_sent: 'Reminder sent',
  fallback_asked: 'Fallback approver asked',
  approver_unreachable: 'Approver unreachable',
  fulfillment_started: 'Fulfilment started',
  fulfillment_progress: 'Fulfilment progress',
  fulfilled: 'Fulfilled',
  awaiting_it: 'Waiting for IT',
  fulfillment_failed: 'Fulfilment failed',
  retried: 'Retried',
  cancelled: 'Cancelled',
  marked_fulfilled: 'Marked fulfilled',
  notified: 'Notified',
  app_changed: 'App changed',
  settings_changed: 'Settings changed',
  approver_needed: 'Waiting for an admin to name an approver',
  approver_named: 'Approver named',
  identity_ambiguous: 'Channel account matched several users',
  duration_shortened: 'Duration shortened by an approver',
  access_ending_soon: 'Holder told the access ends soon',
  access_removal_started: 'Access removal started',
  access_removed: 'Access removed',
  access_removal_failed: 'Access removal failed',
  access_extended: 'Access extended',
  requester_left: 'Person left the directory',
  approver_left: 'Approver left the directory',
  reclaim_campaign_started: 'Reclamation campaign started',
  reclaim_campaign_ended: 'Reclamation campaign ended early',
  reclaim_campaign_cancelled: 'Reclamation campaign cancelled',
  reclaim_answered: 'Holder answered "keep it or give it back"',
  reclaim_expired: 'No answer by the campaign deadline',
};

export type AuditFilters = {
  type: string;
  actor: string;
  appId: string;
  requestId: string;
  /** YYYY-MM-DD, local. */
  since: string;
  until: string;
};

const NO_FILTERS: AuditFilters = {
  type: '',
  actor: '',
  appId: '',
  requestId: '',
  since: '',
  until: '',
};

const PAGE = 100;

/** The audit query for some filters (without paging). */
export function auditQuery(f: AuditFilters): AuditQuery {
  return {
    type: f.type || undefined,
    actor: f.actor.trim() || undefined,
    appId: f.appId.trim() || undefined,
    requestId: f.requestId.trim() || undefined,
    since: f.since ? dayToIso(f.since, 'start') : undefined,
    until: f.until ? dayToIso(f.until, 'end') : undefined,
  };
}

function validate(
  f: AuditFilters,
): Partial<Record<keyof AuditFilters, string>> {
  const errors: Partial<Record<keyof AuditFilters, string>> = {};
  if (f.since && !dayToIso(f.since, 'start')) errors.since = 'Not a date';
  if (f.until && !dayToIso(f.until, 'end')) errors.until = 'Not a date';
  if (f.since && f.until && f.since > f.until) {
    errors.until = 'Must not be before “Since”';
  }
  if (f.actor.length > 300) errors.actor = 'Use at most 300 characters';
  if (f.appId.length > 100) errors.appId = 'Use at most 100 characters';
  if (f.requestId.length > 100) errors.requestId = 'Use at most 100 characters';
  return errors;
}

function summary(e: RequestEvent): string {
  const parts: string[] = [];
  if (e.fromStatus || e.toStatus) {
    parts.push(
      `${e.fromStatus ? statusLabel(e.fromStatus) : '…'} → ${
        e.toStatus ? statusLabel(e.toStatus) : '…'
      }`,
    );
  }
  if (e.comment) parts.push(`“${e.comment}”`);
  return parts.join(' · ');
}

const AuditContent = () => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [errors, setErrors] = useState<
    Partial<Record<keyof AuditFilters, string>>
  >({});
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();

  const fetchPage = useCallback(
    (from?: string) =>
      api.listAudit({ ...auditQuery(applied), limit: PAGE, cursor: from }),
    [api, applied],
  );
  const { items, cursor, error, loading, loadMore } =
    useCursorPages<RequestEvent>(fetchPage);

  const set = (next: Partial<AuditFilters>) => {
    setFilters(f => ({ ...f, ...next }));
    setErrors({});
  };

  const apply = () => {
    const found = validate(filters);
    setErrors(found);
    if (Object.keys(found).length === 0) {
      setApplied(filters);
    }
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const blob = await api.downloadAuditCsv({
        ...auditQuery(applied),
        limit: 5000,
      });
      saveBlob(blob, 'app-access-audit.csv');
    } catch (e) {
      setExportError(getErrorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const columns: TableColumn<RequestEvent>[] = [
    {
      title: 'When',
      field: 'at',
      render: e => formatDateTime(e.at),
    },
    {
      title: 'Event',
      field: 'type',
      render: e => (
        <>
          {EVENT_LABELS[e.type] ?? e.type}
          {e.level ? ` (level ${e.level})` : ''}
        </>
      ),
    },
    {
      title: 'Actor',
      field: 'actor',
      // People by name; the export keeps the raw refs.
      render: e => <EntityName entityRef={e.actor} />,
    },
    {
      title: 'App',
      field: 'appId',
      render: e => e.appId ?? '',
    },
    {
      title: 'Request',
      field: 'requestId',
      render: e =>
        e.requestId ? (
          <Link to={paths.request(e.requestId)}>
            <ShortId id={e.requestId} />
          </Link>
        ) : (
          ''
        ),
    },
    {
      title: 'Details',
      field: 'comment',
      render: e => summary(e),
    },
  ];

  return (
    <>
      <ContentHeader title="Audit trail">
        <Button
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={exportCsv}
          disabled={exporting}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </Button>
      </ContentHeader>
      <Typography variant="body2" color="textSecondary" paragraph>
        Every request event, approval decision, app change and settings change,
        newest first. The export uses the filters applied below (up to 5000
        events).
      </Typography>
      <FilterBar
        label="Audit filters"
        onApply={apply}
        onClear={() => {
          setFilters(NO_FILTERS);
          setApplied(NO_FILTERS);
          setErrors({});
        }}
      >
        <FilterField md={2}>
          <TextField
            select
            id="app-access-audit-type"
            label="Event"
            fullWidth
            value={filters.type}
            SelectProps={{ displayEmpty: true }}
            InputLabelProps={{ shrink: true }}
            onChange={e => set({ type: e.target.value })}
          >
            <MenuItem value="">Any event</MenuItem>
            {(Object.keys(EVENT_LABELS) as RequestEventType[]).map(t => (
              <MenuItem key={t} value={t}>
                {EVENT_LABELS[t]}
              </MenuItem>
            ))}
          </TextField>
        </FilterField>
        <FilterField md={2}>
          <TextField
            id="app-access-audit-actor"
            label="Actor"
            placeholder="user:default/sam.manager"
            fullWidth
            value={filters.actor}
            onChange={e => set({ actor: e.target.value })}
            error={Boolean(errors.actor)}
            helperText={errors.actor}
            InputLabelProps={{ shrink: true }}
          />
        </FilterField>
        <FilterField md={2}>
          <TextField
            id="app-access-audit-app"
            label="App id"
            placeholder="figma"
            fullWidth
            value={filters.appId}
            onChange={e => set({ appId: e.target.value })}
            error={Boolean(errors.appId)}
            helperText={errors.appId}
            InputLabelProps={{ shrink: true }}
          />
        </FilterField>
        <FilterField md={2}>
          <TextField
            id="app-access-audit-request"
            label="Request id"
            fullWidth
            value={filters.requestId}
            onChange={e => set({ requestId: e.target.value })}
            error={Boolean(errors.requestId)}
            helperText={errors.requestId}
            InputLabelProps={{ shrink: true }}
          />
        </FilterField>
        <FilterField xs={6} sm={3} md={2}>
          <TextField
            id="app-access-audit-since"
            label="Since"
            type="date"
            fullWidth
            // Room for the browser's whole date format and its picker icon.
            style={DATE_FIELD}
            value={filters.since}
            onChange={e => set({ since: e.target.value })}
            error={Boolean(errors.since)}
            helperText={errors.since}
            InputLabelProps={{ shrink: true }}
          />
        </FilterField>
        <FilterField xs={6} sm={3} md={2}>
          <TextField
            id="app-access-audit-until"
            label="Until"
            type="date"
            fullWidth
            // Room for the browser's whole date format and its picker icon.
            style={DATE_FIELD}
            value={filters.until}
            onChange={e => set({ until: e.target.value })}
            error={Boolean(errors.until)}
            helperText={errors.until}
            InputLabelProps={{ shrink: true }}
          />
        </FilterField>
      </FilterBar>
      {exportError && (
        <Box mt={2}>
          <Alert severity="error" onClose={() => setExportError(undefined)}>
            Export failed: {exportError}
          </Alert>
        </Box>
      )}
      <Box mt={2}>
        {error && <ResponseErrorPanel error={error} />}
        {!items && loading && <Progress />}
        {items && (
          <Table<RequestEvent>
            title={`Events (${items.length}${cursor ? '+' : ''})`}
            isLoading={loading}
            options={{
              paging: items.length > 50,
              pageSize: 50,
              // Table's own options are 5, 10 and 20; the page size must be one of them.
              pageSizeOptions: [50, 100, 200],
              headerStyle: NO_WRAP,
              search: false,
              padding: 'dense',
            }}
            columns={columns}
            data={items}
            emptyContent={
              <Box p={3}>
                <Typography color="textSecondary">
                  No event matches these filters.
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
      </Box>
    </>
  );
};

/** The audit trail, filtered, and as a CSV download. */
export const AuditPage = () => (
  <AdminGate
    permission={appAccessAuditReadPermission}
    deniedTitle="You are not allowed to read the App Access audit trail"
  >
    <AuditContent />
  </AdminGate>
);
