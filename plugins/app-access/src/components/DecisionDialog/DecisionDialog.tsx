import { FormEvent, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  AccessRequest,
  PendingApproval,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import {
  getErrorMessage,
  getErrorStatus,
  splitFieldErrors,
} from '../../lib/errors';
import { textLimitError } from '../../lib/limits';
import { ClampedText } from '../ClampedText';
import { useEntityDisplayName } from '../EntityName';
import { LimitedTextField } from '../LimitedTextField';
import { MessageText } from '../MessageText';

export type Decision = 'approve' | 'deny';

export type DecisionDialogProps = {
  /** The task being decided; the dialog is open while set. */
  approval?: PendingApproval;
  decision: Decision;
  onClose: () => void;
  onDecided: (approval: PendingApproval, result: AccessRequest) => void;
  /** Someone else decided first, or the request moved on (HTTP 409). */
  onConflict: (approval: PendingApproval, message: string) => void;
};

const DecisionForm = ({
  approval,
  decision,
  onClose,
  onDecided,
  onConflict,
}: DecisionDialogProps & { approval: PendingApproval }) => {
  const api = useApi(appAccessApiRef);
  const [comment, setComment] = useState('');
  // Approving a request with an end: the same end, or a shorter one.
  const [shortenTo, setShortenTo] = useState('');
  const [commentError, setCommentError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  // State updates are async; a ref stops a fast double click deciding twice.
  const submittingRef = useRef(false);
  const deny = decision === 'deny';
  const { request } = approval;
  const who = useEntityDisplayName(request.grantee ?? request.requester);
  const what = `${request.appName}${
    request.tierName ? ` (${request.tierName})` : ''
  }`;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (submittingRef.current) {
      return;
    }
    if (deny && !comment.trim()) {
      setCommentError(`Tell ${who} why, so they know what to do instead`);
      return;
    }
    if (textLimitError(comment)) {
      setCommentError(textLimitError(comment));
      return;
    }
    submittingRef.current = true;
    setSubmitting(true);
    setFormError(undefined);
    try {
      const result = await api.decide(request.id, {
        decision,
        comment: comment.trim() || undefined,
        durationDays: !deny && shortenTo ? Number(shortenTo) : undefined,
      });
      onDecided(approval, result);
    } catch (err) {
      const message = getErrorMessage(err);
      if (getErrorStatus(err) === 409) {
        onConflict(approval, message);
        return;
      }
      const split = splitFieldErrors(message, ['comment'] as const);
      setCommentError(split.fields.comment);
      setFormError(split.general);
      submittingRef.current = false;
      setSubmitting(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <DialogTitle id="app-access-decision-title">
        {deny ? 'Deny' : 'Approve'} {what} for {who}?
      </DialogTitle>
      <DialogContent>
        {request.justification && (
          <DialogContentText component="div">
            <ClampedText text={`They wrote: “${request.justification}”`} />
          </DialogContentText>
        )}
        {formError && (
          <Alert severity="error" role="alert">
            <MessageText text={formError} />
          </Alert>
        )}
        {!deny && request.durationDays && (
          <TextField
            id="app-access-decision-duration"
            select
            label="Access ends"
            value={shortenTo}
            onChange={e => setShortenTo(e.target.value)}
            margin="normal"
            fullWidth
            helperText="You may shorten the access; never lengthen it."
          >
            <MenuItem value="">
              As requested: {request.durationDays} day
              {request.durationDays === 1 ? '' : 's'} after it is granted
            </MenuItem>
            {[1, 3, 7, 14, 30, 60, 90, 180]
              .filter(d => d < request.durationDays!)
              .map(d => (
                <MenuItem key={d} value={String(d)}>
                  Shorter: {d} day{d === 1 ? '' : 's'}
                </MenuItem>
              ))}
          </TextField>
        )}
        <LimitedTextField
          id="app-access-decision-comment"
          label={deny ? 'Reason' : 'Comment'}
          value={comment}
          onChange={e => {
            setComment(e.target.value);
            setCommentError(undefined);
          }}
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog starts on its first field (WAI-ARIA dialog pattern)
          autoFocus
          required={deny}
          fullWidth
          multiline
          minRows={3}
          margin="normal"
          error={commentError}
          hint={
            deny
              ? `Required: ${who} sees it.`
              : `Optional: ${who} sees it with the decision.`
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          color={deny ? 'secondary' : 'primary'}
          disabled={submitting}
        >
          {deny ? 'Deny' : 'Approve'}
        </Button>
      </DialogActions>
    </form>
  );
};

/** Confirms an approval decision, with a comment (required to deny). */
export const DecisionDialog = (props: DecisionDialogProps) => (
  <Dialog
    open={Boolean(props.approval)}
    onClose={props.onClose}
    fullWidth
    maxWidth="sm"
    aria-labelledby="app-access-decision-title"
  >
    {props.approval && (
      <DecisionForm
        {...props}
        approval={props.approval}
        key={`${props.approval.id}-${props.decision}`}
      />
    )}
  </Dialog>
);
