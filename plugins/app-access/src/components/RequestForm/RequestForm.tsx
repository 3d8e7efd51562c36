import { FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  makeStyles,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert, Autocomplete } from '@material-ui/lab';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import {
  getErrorMessage,
  getErrorStatus,
  splitFieldErrors,
} from '../../lib/errors';
import { forgetCachedCatalog } from '../../lib/catalogCache';
import { today } from '../../lib/format';
import { textLimitError } from '../../lib/limits';
import { requestRouteRef } from '../../routes';
import { LimitedTextField } from '../LimitedTextField';
import { ApproverPreviewPanel } from './ApproverPreviewPanel';
import { useEntityOptions } from '../admin/EntityRefPicker';
import { MessageText } from '../MessageText';

const FIELDS = [
  'tierId',
  'justification',
  'neededBy',
  'durationDays',
  'onBehalfOf',
] as const;

const DURATIONS = [1, 3, 7, 14, 30, 60, 90, 180, 365];

/** The durations a tier offers: standard ones up to its maximum, and the maximum itself. */
export function durationChoices(tier: {
  maxDurationDays?: number;
  durationRequired?: boolean;
  defaultDurationDays?: number;
}): { days: number[]; untilRemoved: boolean } {
  const max = tier.maxDurationDays;
  const standard = max ? [...DURATIONS.filter(d => d <= max), max] : DURATIONS;
  // The settings' default is offered even when it is not a standard length.
  const def = tier.defaultDurationDays;
  const days = [
    ...new Set(def && (!max || def <= max) ? [...standard, def] : standard),
  ].sort((a, b) => a - b);
  return { days, untilRemoved: !tier.durationRequired };
}

/** What the duration field starts at for a tier: the settings' default, else nothing picked. */
const initialDuration = (tier?: { defaultDurationDays?: number }) =>
  tier?.defaultDurationDays ? String(tier.defaultDurationDays) : '';

const daysLabel = (d: number) => `${d} day${d === 1 ? '' : 's'}`;
type Field = (typeof FIELDS)[number];

const useStyles = makeStyles(theme => ({
  tier: {
    alignItems: 'flex-start',
    marginBottom: theme.spacing(1),
  },
  tierLabel: {
    paddingTop: theme.spacing(1),
  },
  tierName: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

export type RequestFormProps = {
  app: CatalogApp;
  open: boolean;
  onClose: () => void;
  /** Tier to start with; the only tier is picked when there is just one. */
  initialTierId?: string;
  /** Tiers the user already has; shown but not requestable (the backend refuses them). */
  heldTierIds?: string[];
  /** Tiers with an open request of the user's; shown but not requestable twice. */
  pendingTierIds?: string[];
};

const NO_TIERS: string[] = [];

const RequestFormContent = ({
  app,
  onClose,
  initialTierId,
  heldTierIds = NO_TIERS,
  pendingTierIds = NO_TIERS,
}: Omit<RequestFormProps, 'open'>) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  // "Request for someone else": offered under the on-behalf rule (direct
  // reports, or anyone in the catalog); hidden when it is off.
  const onBehalf = useAsync(() => api.getOnBehalfOptions(), [api]);
  const rule = onBehalf.value?.rule ?? 'off';
  const reports = onBehalf.value?.reports ?? [];
  const catalogUsers = useEntityOptions(rule === 'anyone' ? ['User'] : []);
  const [forOther, setForOther] = useState(false);
  const [grantee, setGrantee] = useState<string | null>(null);
  const granteeRefs =
    rule === 'anyone' ? catalogUsers.refs : reports.map(r => r.ref);
  const granteeLabel = (ref: string) =>
    (rule === 'anyone'
      ? catalogUsers.labelOf(ref)
      : reports.find(r => r.ref === ref)?.displayName) ?? ref;
  const offerOnBehalf =
    rule === 'anyone' || (rule === 'reports' && reports.length > 0);
  // What the caller holds or asked for says nothing about someone else.
  const blocked = (id: string) =>
    !forOther && (heldTierIds.includes(id) || pendingTierIds.includes(id));
  const requestRoute = useRouteRef(requestRouteRef);
  const navigate = useNavigate();

  const [tierId, setTierId] = useState<string>(() => {
    if (initialTierId && !blocked(initialTierId)) {
      return initialTierId;
    }
    const requestable = app.tiers.filter(t => !blocked(t.id));
    return requestable.length === 1 ? requestable[0].id : '';
  });
  const [justification, setJustification] = useState('');
  const [neededBy, setNeededBy] = useState('');
  const [duration, setDuration] = useState(() =>
    initialDuration(app.tiers.find(t => t.id === tierId)),
  );
  const [fieldErrors, setFieldErrors] = useState<
    Partial<Record<Field, string>>
  >({});
  const [formError, setFormError] = useState<{
    severity: 'error' | 'warning';
    message: string;
  }>();
  const [submitting, setSubmitting] = useState(false);
  // State updates are async; a ref stops a fast double click sending twice.
  const submittingRef = useRef(false);

  const tier = app.tiers.find(t => t.id === tierId);
  const firstRequestableId = app.tiers.find(t => !blocked(t.id))?.id;
  const firstTierRef = useRef<HTMLInputElement>(null);
  // Focus starts on the first choice to make. Not `autoFocus`, nor focus()
  // during the mount: the radio's focus ring would show before its ripple
  // exists, and MUI then throws. One tick later it is there.
  useEffect(() => {
    if (tierId) {
      return undefined;
    }
    const timer = setTimeout(() => firstTierRef.current?.focus());
    return () => clearTimeout(timer);
    // Only on opening; later changes of tier must not move the cursor.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const needsApproval = tier?.needsApproval ?? false;
  const minDate = today();

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (submittingRef.current) {
      return;
    }
    const errors: Partial<Record<Field, string>> = {};
    if (forOther && !grantee) {
      errors.onBehalfOf = 'Pick the person who needs access';
    }
    if (!tier) {
      errors.tierId = 'Choose a tier';
    } else if (blocked(tier.id) && heldTierIds.includes(tier.id)) {
      errors.tierId = `You already have ${tier.name}`;
    } else if (blocked(tier.id)) {
      errors.tierId = `You already have an open request for ${tier.name}`;
    }
    if (needsApproval && !justification.trim()) {
      errors.justification =
        'Required for this tier: your approvers decide based on it';
    } else if (textLimitError(justification)) {
      errors.justification = textLimitError(justification);
    }
    if (neededBy && neededBy < minDate) {
      errors.neededBy = 'Pick today or a later date';
    }
    if (tier?.durationRequired && !duration) {
      errors.durationDays = 'Choose how long you need it';
    }
    if (Object.keys(errors).length > 0) {
      setFieldErrors(errors);
      return;
    }

    submittingRef.current = true;
    setSubmitting(true);
    setFormError(undefined);
    try {
      const request = await api.createRequest({
        appId: app.id,
        tierId,
        justification: justification.trim() || undefined,
        neededBy: neededBy || undefined,
        durationDays: duration ? Number(duration) : undefined,
        onBehalfOf: forOther && grantee ? grantee : undefined,
      });
      // The catalog's badge for this app changed.
      forgetCachedCatalog();
      navigate(requestRoute({ requestId: request.id }));
    } catch (err) {
      const split = splitFieldErrors(getErrorMessage(err), FIELDS);
      setFieldErrors(split.fields);
      if (split.general) {
        setFormError({
          // A duplicate is not a failure: the user already has what they asked for.
          severity: getErrorStatus(err) === 409 ? 'warning' : 'error',
          message: split.general,
        });
      }
      submittingRef.current = false;
      setSubmitting(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Request ${app.name}`}>
      <DialogTitle id="app-access-request-title">
        Request access to {app.name}
      </DialogTitle>
      <DialogContent>
        {formError && (
          <Box mb={2}>
            <Alert severity={formError.severity} role="alert">
              <MessageText text={formError.message} />
            </Alert>
          </Box>
        )}

        <FormControl
          component="fieldset"
          error={Boolean(fieldErrors.tierId)}
          fullWidth
          required
        >
          <FormLabel component="legend">License tier</FormLabel>
          <RadioGroup
            aria-label="License tier"
            name="tier"
            value={tierId}
            onChange={e => {
              setTierId(e.target.value);
              setDuration(
                initialDuration(app.tiers.find(t => t.id === e.target.value)),
              );
              setFieldErrors(errs => ({
                ...errs,
                tierId: undefined,
                justification: undefined,
                durationDays: undefined,
              }));
            }}
          >
            {app.tiers.map(t => (
              <FormControlLabel
                key={t.id}
                value={t.id}
                className={classes.tier}
                disabled={blocked(t.id)}
                control={
                  <Radio
                    color="primary"
                    inputRef={
                      t.id === firstRequestableId ? firstTierRef : undefined
                    }
                  />
                }
                label={
                  <Box className={classes.tierLabel}>
                    <Box className={classes.tierName}>
                      <Typography variant="body1">{t.name}</Typography>
                      <Chip
                        size="small"
                        variant="outlined"
                        label={
                          t.needsApproval ? 'Needs approval' : 'No approval'
                        }
                      />
                      {heldTierIds.includes(t.id) && (
                        <Chip
                          size="small"
                          color="primary"
                          label="You have it"
                        />
                      )}
                      {pendingTierIds.includes(t.id) && (
                        <Chip
                          size="small"
                          color="primary"
                          variant="outlined"
                          label="Already requested"
                        />
                      )}
                    </Box>
                    {t.description && (
                      <Typography variant="body2" color="textSecondary">
                        {t.description}
                      </Typography>
                    )}
                  </Box>
                }
              />
            ))}
          </RadioGroup>
          {fieldErrors.tierId && (
            <FormHelperText>{fieldErrors.tierId}</FormHelperText>
          )}
        </FormControl>

        {offerOnBehalf && (
          <Box mt={2}>
            <FormControlLabel
              control={
                <Checkbox
                  color="primary"
                  checked={forOther}
                  onChange={e => {
                    setForOther(e.target.checked);
                    setFieldErrors(errs => ({
                      ...errs,
                      onBehalfOf: undefined,
                      tierId: undefined,
                    }));
                  }}
                />
              }
              label="Request for someone else"
            />
            {forOther && (
              <Autocomplete
                id="app-access-on-behalf-of"
                options={granteeRefs}
                value={grantee}
                loading={rule === 'anyone' && catalogUsers.loading}
                getOptionLabel={granteeLabel}
                onChange={(_e, value) => {
                  setGrantee(value);
                  setFieldErrors(errs => ({ ...errs, onBehalfOf: undefined }));
                }}
                renderInput={params => (
                  <TextField
                    {...params}
                    label="Who needs access"
                    required
                    margin="dense"
                    error={Boolean(fieldErrors.onBehalfOf)}
                    helperText={
                      fieldErrors.onBehalfOf ??
                      (rule === 'reports'
                        ? 'One of your direct reports. Their manager chain and groups decide; you are both told.'
                        : 'Anyone in the catalog. Their manager and groups decide; you are both told.')
                    }
                  />
                )}
              />
            )}
          </Box>
        )}

        <LimitedTextField
          id="app-access-justification"
          label="Why do you need it?"
          value={justification}
          onChange={e => {
            setJustification(e.target.value);
            setFieldErrors(errs => ({ ...errs, justification: undefined }));
          }}
          // With the tier already chosen, the reason is what is left to fill in.
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog starts on its first field (WAI-ARIA dialog pattern)
          autoFocus={Boolean(tier)}
          required={needsApproval}
          fullWidth
          multiline
          minRows={3}
          margin="normal"
          error={fieldErrors.justification}
          hint={
            needsApproval
              ? 'Required: your approvers read this before deciding.'
              : 'Optional for this tier.'
          }
        />

        <TextField
          id="app-access-needed-by"
          label="Needed by"
          type="date"
          value={neededBy}
          onChange={e => {
            setNeededBy(e.target.value);
            setFieldErrors(errs => ({ ...errs, neededBy: undefined }));
          }}
          margin="normal"
          InputLabelProps={{ shrink: true }}
          inputProps={{ min: minDate }}
          error={Boolean(fieldErrors.neededBy)}
          helperText={
            fieldErrors.neededBy ??
            'Optional. Approvers see it and can prioritise.'
          }
        />

        {tier && (tier.maxDurationDays || tier.durationRequired) && (
          <TextField
            id="app-access-duration"
            select
            label="For how long"
            value={duration}
            onChange={e => {
              setDuration(e.target.value);
              setFieldErrors(errs => ({ ...errs, durationDays: undefined }));
            }}
            margin="normal"
            fullWidth
            error={Boolean(fieldErrors.durationDays)}
            helperText={
              fieldErrors.durationDays ??
              (tier.maxDurationDays
                ? `${tier.name} is granted for at most ${daysLabel(
                    tier.maxDurationDays,
                  )}; it is removed when it ends and you are told before.`
                : 'Access is removed when it ends; you are told before.')
            }
          >
            {durationChoices(tier).untilRemoved && (
              <MenuItem value="">Until I remove it</MenuItem>
            )}
            {durationChoices(tier).days.map(d => (
              <MenuItem key={d} value={String(d)}>
                {daysLabel(d)}
              </MenuItem>
            ))}
          </TextField>
        )}

        {tier && !forOther && (
          <ApproverPreviewPanel appId={app.id} tierId={tier.id} />
        )}
        {tier && forOther && grantee && (
          <Box mt={2}>
            <Alert severity="info">
              Approvals follow {granteeLabel(grantee)}: their manager and groups
              decide, never you.
            </Alert>
          </Box>
        )}
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
          {submitting ? 'Submitting…' : 'Submit request'}
        </Button>
      </DialogActions>
    </form>
  );
};

/** The dialog in which an employee asks for a tier of an app. */
export const RequestForm = ({ open, ...props }: RequestFormProps) => (
  <Dialog
    open={open}
    onClose={props.onClose}
    fullWidth
    maxWidth="sm"
    aria-labelledby="app-access-request-title"
  >
    {/* Dialog unmounts its children when closed, so each opening starts clean. */}
    <RequestFormContent {...props} />
  </Dialog>
);
