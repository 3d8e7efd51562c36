import { ReactNode } from 'react';
import {
  Box,
  makeStyles,
  TextField,
  TextFieldProps,
  Typography,
} from '@material-ui/core';
import { TEXT_LIMIT, textLimitError } from '../../lib/limits';

const useStyles = makeStyles(theme => ({
  helper: {
    // Leaves room for the counter on the same line.
    paddingRight: theme.spacing(11),
  },
  counter: {
    position: 'absolute',
    right: 0,
    // The field's own bottom margin (margin="normal").
    bottom: theme.spacing(1),
    lineHeight: 1.66,
  },
}));

export type LimitedTextFieldProps = Omit<
  TextFieldProps,
  'value' | 'helperText' | 'error'
> & {
  value: string;
  /** What the field is for; replaced by `error` when there is one. */
  hint?: ReactNode;
  /** A validation error from the form or the server. */
  error?: string;
  limit?: number;
};

/**
 * A multi-line text field with a live "123 / 4000" counter, so the limit is
 * visible while typing. Typing past it is allowed (a pasted text can be
 * shortened in place), but the counter and the message say by how much.
 */
export const LimitedTextField = ({
  value,
  hint,
  error,
  limit = TEXT_LIMIT,
  ...props
}: LimitedTextFieldProps) => {
  const classes = useStyles();
  const message = error ?? textLimitError(value, limit);
  return (
    <Box position="relative">
      <TextField
        {...props}
        value={value}
        error={Boolean(message)}
        helperText={message ?? hint ?? ' '}
        FormHelperTextProps={{ className: classes.helper }}
      />
      <Typography
        variant="caption"
        className={classes.counter}
        color={message && !error ? 'error' : 'textSecondary'}
      >
        {value.trim().length} / {limit}
      </Typography>
    </Box>
  );
};
