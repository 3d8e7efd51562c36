import { FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { appAccessApiRef } from '../../api';
import { getErrorMessage, splitFieldErrors } from '../../lib/errors';
import { toWebsiteUrl } from '../../lib/format';
import { textLimitError } from '../../lib/limits';
import { requestRouteRef } from '../../routes';
import { LimitedTextField } from '../LimitedTextField';
import { MessageText } from '../MessageText';

const FIELDS = ['name', 'url', 'vendor', 'justification'] as const;
type Field = (typeof FIELDS)[number];

export type IntakeDialogProps = {
  open: boolean;
  onClose: () => void;
  /** Prefills the name, e.g. with what the user searched for. */
  initialName?: string;
};

const IntakeForm = ({
  onClose,
  initialName,
}: Omit<IntakeDialogProps, 'open'>) => {
  const api = useApi(appAccessApiRef);
  const requestRoute = useRouteRef(requestRouteRef);
  const navigate = useNavigate();

  const [values, setValues] = useState<Record<Field, string>>({
    name: initialName ?? '',
    url: '',
    vendor: '',
    justification: '',
  });
  const [fieldErrors, setFieldErrors] = useState<
    Partial<Record<Field, string>>
  >({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  // State updates are async; a ref stops a fast double click sending twice.
  const submittingRef = useRef(false);

  const set = (field: Field) => (e: { target: { value: string } }) => {
    setValues(v => ({ ...v, [field]: e.target.value }));
    setFieldErrors(errs => ({ ...errs, [field]: undefined }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (submittingRef.current) {
      return;
    }
    const errors: Partial<Record<Field, string>> = {};
    if (!values.name.trim()) {
      errors.name = 'Name the app you need';
    }
    if (!values.justification.trim()) {
      errors.justification = 'Tell IT why you need it';
    } else if (textLimitError(values.justification)) {
      errors.justification = textLimitError(values.justification);
    }
    if (Object.keys(errors).length > 0) {
      setFieldErrors(errors);
      return;
    }

    submittingRef.current = true;
    setSubmitting(true);
    setFormError(undefined);
    try {
      const request = await api.createIntake({
        name: values.name.trim(),
        url: values.url.trim() ? toWebsiteUrl(values.url) : undefined,
        vendor: values.vendor.trim() || undefined,
        justification: values.justification.trim(),
      });
      navigate(requestRoute({ requestId: request.id }));
    } catch (err) {
      const split = splitFieldErrors(getErrorMessage(err), FIELDS);
      setFieldErrors(split.fields);
      setFormError(split.general);
      submittingRef.current = false;
      setSubmitting(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Ask for a new app">
      <DialogTitle id="app-access-intake-title">
        Can't find your app?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Tell IT which app you need. They review it, add it to the catalog and
          you can follow the request like any other.
        </DialogContentText>
        {formError && (
          <Alert severity="error" role="alert">
            <MessageText text={formError} />
          </Alert>
        )}
        <TextField
          id="app-access-intake-name"
          label="App name"
          value={values.name}
          onChange={set('name')}
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog starts on its first field (WAI-ARIA dialog pattern)
          autoFocus
          required
          fullWidth
          margin="normal"
          error={Boolean(fieldErrors.name)}
          helperText={fieldErrors.name}
        />
        <TextField
          id="app-access-intake-url"
          label="Website"
          placeholder="excalidraw.com"
          inputProps={{ inputMode: 'url', autoCapitalize: 'none' }}
          value={values.url}
          onChange={set('url')}
          fullWidth
          margin="normal"
          error={Boolean(fieldErrors.url)}
          helperText={fieldErrors.url ?? 'Optional. The address is enough.'}
        />
        <TextField
          id="app-access-intake-vendor"
          label="Vendor"
          value={values.vendor}
          onChange={set('vendor')}
          fullWidth
          margin="normal"
          error={Boolean(fieldErrors.vendor)}
          helperText={fieldErrors.vendor}
        />
        <LimitedTextField
          id="app-access-intake-justification"
          label="Why do you need it?"
          value={values.justification}
          onChange={set('justification')}
          required
          fullWidth
          multiline
          minRows={3}
          margin="normal"
          error={fieldErrors.justification}
          hint="What you will use it for, and for whom."
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Cancel
        </Button>
        <Button
          type="submit"
          color="primary"
          variant="contained"
          disabled={submitting}
        >
          {submitting ? 'Sending…' : 'Send request'}
        </Button>
      </DialogActions>
    </form>
  );
};

/** Asks IT for an app that is not in the catalog yet. */
export const IntakeDialog = ({ open, ...props }: IntakeDialogProps) => (
  <Dialog
    open={open}
    onClose={props.onClose}
    fullWidth
    maxWidth="sm"
    aria-labelledby="app-access-intake-title"
  >
    {/* Dialog unmounts its children when closed, so each opening starts clean. */}
    <IntakeForm {...props} />
  </Dialog>
);
