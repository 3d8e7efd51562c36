import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useState } from 'react';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { appAccessApiRef } from '../../../api';
import type { OutboxJob } from '../../../api/AppAccessApi';
import { getErrorMessage } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { ActionOutcome } from '../RequestActions';
import { useAdminPaths } from '../lib/adminPaths';
import { ShortId } from '../../ShortId';
import { NO_WRAP } from '../lib/tableLayout';

export type DeadJobsProps = {
  onOutcome: (o: ActionOutcome) => void;
};

/** Background jobs that gave up after their retries, with what went wrong and a way to try again. */
export const DeadJobs = ({ onOutcome }: DeadJobsProps) => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const jobs = useAsyncRetry(
    () => api.listOutbox({ status: 'dead', limit: 200 }),
    [api],
  );
  const [busy, setBusy] = useState<string>();

  const retry = async (job: OutboxJob) => {
    setBusy(job.id);
    try {
      await api.retryJob(job.id);
      onOutcome({
        severity: 'success',
        message: `Job ${job.id} (${job.kind}) is queued again.`,
      });
      jobs.retry();
    } catch (e) {
      onOutcome({ severity: 'error', message: getErrorMessage(e) });
    } finally {
      setBusy(undefined);
    }
  };

  if (jobs.loading && !jobs.value) {
    return <Progress />;
  }
  if (jobs.error) {
    return <ResponseErrorPanel error={jobs.error} />;
  }
  const items = jobs.value?.items ?? [];

  const columns: TableColumn<OutboxJob>[] = [
    { title: 'Job', field: 'id', render: job => <ShortId id={job.id} /> },
    { title: 'Kind', field: 'kind' },
    {
      title: 'Request',
      field: 'payload',
      render: job => {
        const requestId = job.payload?.requestId;
        return typeof requestId === 'string' ? (
          <Link to={paths.request(requestId)}>
            <ShortId id={requestId} />
          </Link>
        ) : (
          '—'
        );
      },
    },
    { title: 'Attempts', field: 'attempts', type: 'numeric' },
    {
      title: 'Last error',
      field: 'lastError',
      render: job => (
        <Typography
          variant="body2"
          color="error"
          style={{ whiteSpace: 'pre-wrap' }}
        >
          {job.lastError ?? '—'}
        </Typography>
      ),
    },
    {
      title: 'Last tried',
      field: 'updatedAt',
      render: job => formatDateTime(job.updatedAt),
    },
    {
      title: '',
      field: 'retry',
      sorting: false,
      cellStyle: NO_WRAP,
      render: job => (
        <Button
          size="small"
          variant="outlined"
          onClick={() => retry(job)}
          disabled={busy === job.id}
          aria-label={`Retry job ${job.id}`}
        >
          Retry
        </Button>
      ),
    },
  ];

  return (
    <Table<OutboxJob>
      title={`Dead jobs (${items.length})`}
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
      emptyContent={
        <Box p={3}>
          <Typography color="textSecondary">
            No dead jobs: every background job finished or is still being
            retried.
          </Typography>
        </Box>
      }
    />
  );
};
