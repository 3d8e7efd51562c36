import { ReactNode } from 'react';
import { Link } from '@backstage/core-components';
import { makeStyles, Typography } from '@material-ui/core';
import {
  Timeline,
  TimelineConnector,
  TimelineContent,
  TimelineDot,
  TimelineItem,
  TimelineSeparator,
} from '@material-ui/lab';
import {
  AccessRequest,
  RequestEvent,
} from '@app-access/plugin-app-access-common';
import { formatDateTime } from '../../lib/format';
import { plainProblem } from '../../lib/errors';
import { statusLabel } from '../../lib/status';
import { ClampedText } from '../ClampedText';
import { MessageText } from '../MessageText';
import { EntityName, EntityNames, isPersonOrGroup } from '../EntityName';

const useStyles = makeStyles(theme => ({
  timeline: {
    padding: 0,
    margin: 0,
  },
  // Without opposite content lab's Timeline still reserves half the width.
  item: {
    '&:before': {
      display: 'none',
    },
  },
  content: {
    paddingBottom: theme.spacing(2),
  },
  comment: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(1.5),
    borderLeft: `3px solid ${theme.palette.divider}`,
    fontStyle: 'italic',
  },
  error: {
    color: theme.palette.error.main,
  },
}));

function dataString(
  data: Record<string, unknown> | undefined,
  ...keys: string[]
): string | undefined {
  for (const key of keys) {
    const value = data?.[key];
    if (typeof value === 'string' && value) {
      return value;
    }
  }
  return undefined;
}

function dataRefs(
  data: Record<string, unknown> | undefined,
  key: string,
): string[] {
  const value = data?.[key];
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/** A person or group by name; anything else (plugin:…) is the system itself. */
const Actor = ({ actorRef }: { actorRef: string }) =>
  isPersonOrGroup(actorRef) ? (
    <EntityName entityRef={actorRef} />
  ) : (
    <>App Access</>
  );

type Dot = 'grey' | 'primary' | 'secondary' | 'inherit';

type Described = {
  title: ReactNode;
  detail?: ReactNode;
  dot: Dot;
  failed?: boolean;
};

const level = (event: RequestEvent) =>
  event.level ? ` (level ${event.level})` : '';

function describe(event: RequestEvent, request: AccessRequest): Described {
  const { data } = event;
  const ticketRef = dataString(data, 'externalRef', 'ticket', 'ticketKey');
  const ticketUrl = dataString(data, 'externalUrl', 'url', 'ticketUrl');
  const ticket =
    ticketUrl || ticketRef ? (
      <>
        {ticketUrl ? (
          <Link to={ticketUrl}>{ticketRef ?? 'Open ticket'}</Link>
        ) : (
          ticketRef
        )}
      </>
    ) : undefined;
  // Backend text for people: in plain words, people by name.
  const said = (text: string | undefined) =>
    text ? <MessageText text={plainProblem(text)} /> : undefined;
  const note = said(dataString(data, 'message', 'note'));

  switch (event.type) {
    case 'submitted':
      return { title: 'Submitted', dot: 'primary' };
    case 'approval_requested': {
      const approvers = dataRefs(data, 'approvers');
      return {
        title: `Waiting for approval${level(event)}`,
        detail:
          approvers.length > 0 ? (
            <>
              Asked: <EntityNames entityRefs={approvers} />
            </>
          ) : undefined,
        dot: 'grey',
      };
    }
    case 'approved':
      return { title: `Approved${level(event)}`, dot: 'primary' };
    case 'denied':
      return { title: `Denied${level(event)}`, dot: 'secondary', failed: true };
    case 'reminder_sent':
      return {
        title: `Reminder sent to approvers${level(event)}`,
        dot: 'grey',
      };
    case 'fallback_asked':
      return {
        title: `Fallback approver asked${level(event)}`,
        detail: note,
        dot: 'grey',
      };
    case 'approver_unreachable':
      return {
        title: 'An approver could not be reached',
        detail: note,
        dot: 'grey',
      };
    case 'fulfillment_started':
      return { title: 'Granting access', dot: 'grey' };
    case 'fulfillment_progress':
      return { title: 'Granting access', detail: note ?? ticket, dot: 'grey' };
    case 'awaiting_it':
      return {
        title: 'Waiting for IT',
        detail: ticket ? <>Ticket {ticket}</> : note,
        dot: 'grey',
      };
    case 'fulfilled':
      return {
        title: 'Access granted',
        detail: ticket ? <>Ticket {ticket}</> : note,
        dot: 'primary',
      };
    case 'marked_fulfilled':
      return { title: 'Marked as done by IT', detail: note, dot: 'primary' };
    case 'fulfillment_failed':
      return {
        title: 'Granting access failed',
        detail: said(
          dataString(data, 'error', 'reason', 'failureReason') ??
            request.failureReason,
        ),
        dot: 'secondary',
        failed: true,
      };
    case 'retried':
      return { title: 'Retried', detail: note, dot: 'grey' };
    case 'cancelled':
      return { title: 'Cancelled', dot: 'grey' };
    case 'notified':
      return { title: 'People were notified', detail: note, dot: 'grey' };
    case 'status_changed':
      return {
        title: event.toStatus
          ? `Status changed to ${statusLabel(event.toStatus)}`
          : 'Status changed',
        detail: note,
        dot: 'grey',
      };
    default:
      return {
        title: String(event.type).replace(/_/g, ' '),
        detail: note,
        dot: 'grey',
      };
  }
}

export type RequestTimelineProps = {
  request: AccessRequest;
};

/** Every step of a request, oldest first, as recorded by the backend. */
export const RequestTimeline = ({ request }: RequestTimelineProps) => {
  const classes = useStyles();
  const events = [...(request.events ?? [])].sort((a, b) =>
    a.at.localeCompare(b.at),
  );
  if (events.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nothing has happened yet.
      </Typography>
    );
  }
  return (
    <Timeline className={classes.timeline} aria-label="Request history">
      {events.map((event, index) => {
        const described = describe(event, request);
        return (
          <TimelineItem
            key={event.id}
            className={classes.item}
            data-testid={`event-${event.type}`}
          >
            <TimelineSeparator>
              <TimelineDot color={described.dot} />
              {index < events.length - 1 && <TimelineConnector />}
            </TimelineSeparator>
            <TimelineContent className={classes.content}>
              <Typography
                variant="subtitle2"
                className={described.failed ? classes.error : undefined}
              >
                {described.title}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                {formatDateTime(event.at)} · <Actor actorRef={event.actor} />
              </Typography>
              {described.detail && (
                <Typography variant="body2">{described.detail}</Typography>
              )}
              {event.comment && (
                <blockquote className={classes.comment}>
                  <ClampedText text={`“${event.comment}”`} />
                </blockquote>
              )}
            </TimelineContent>
          </TimelineItem>
        );
      })}
    </Timeline>
  );
};
