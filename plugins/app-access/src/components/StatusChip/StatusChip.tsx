import { Chip, makeStyles, Theme } from '@material-ui/core';
import { RequestStatus } from '@app-access/plugin-app-access-common';
import { STATUS_TONES, StatusTone, statusLabel } from '../../lib/status';

const useStyles = makeStyles((theme: Theme) => {
  const tone = (color: string) => ({
    color: theme.palette.getContrastText(color),
    backgroundColor: color,
  });
  return {
    neutral: tone(theme.palette.grey[500]),
    pending: tone(theme.palette.status.pending),
    running: tone(theme.palette.status.running),
    ok: tone(theme.palette.status.ok),
    error: tone(theme.palette.status.error),
  } satisfies Record<StatusTone, object>;
});

export type StatusChipProps = {
  status: RequestStatus;
  size?: 'small' | 'medium';
};

/** A request status in words and in colour. */
export const StatusChip = ({ status, size = 'small' }: StatusChipProps) => {
  const classes = useStyles();
  const tone = STATUS_TONES[status] ?? 'neutral';
  return (
    <Chip
      size={size}
      label={statusLabel(status)}
      className={classes[tone]}
      data-testid={`status-${status}`}
    />
  );
};
