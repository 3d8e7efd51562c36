import { FormEvent, useMemo, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  Grid,
  makeStyles,
  MenuItem,
  Switch,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import AddIcon from '@material-ui/icons/Add';
import { appAccessApiRef } from '../../../api';
import type { AdminApp } from '../../../api/AppAccessApi';
import { forgetCachedCatalog } from '../../../lib/catalogCache';
import { getErrorMessage } from '../../../lib/errors';
import { AppLogo } from '../../AppLogo';
import { EntityRefPicker } from '../EntityRefPicker';
import { OktaPicker } from '../OktaPicker';
import {
  AppDraft,
  draftToApp,
  emptyTier,
  knownFields,
  moveTierErrors,
  TierDraft,
  validateDraft,
} from '../lib/appDraft';
import { mapErrorToFields } from '../lib/fieldErrors';
import { Errors, MAX_TIERS, slugify } from '../lib/validation';
import { PolicyEditor } from './PolicyEditor';
import { TierEditor } from './TierEditor';
import { MessageText } from '../../MessageText';

const useStyles = makeStyles(theme => ({
  section: {
    marginTop: theme.spacing(3),
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(3),
  },
  spacer: {
    flex: 1,
  },
  preview: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
  },
}));

export type AppEditorProps = {
  initial: AppDraft;
  /** A new app: the id can be chosen (and is then fixed), and it is created with POST. */
  isNew: boolean;
  /** Whether the app is in the catalog as saved; offers "Remove from catalog". */
  savedListed?: boolean;
  onSaved: (app: AdminApp, message: string) => void;
  onCancel?: () => void;
  /** Starts with the cursor in the name field, as a dialog should. */
  focusName?: boolean;
};

/** Edits an app, its approval policy and its license tiers, with the backend's rules. */
export const AppEditor = ({
  initial,
  isNew,
  savedListed,
  onSaved,
  onCancel,
  focusName,
}: AppEditorProps) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const [draft, setDraft] = useState<AppDraft>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string>();
  // After a save refused for invalid fields, the fields are checked again on
  // every change: errors go as soon as their field is fixed, and so does the
  // banner once nothing is left to fix. `listed` is the value that save used
  // ("Remove from catalog" saves with false), undefined for the switch's.
  const [recheck, setRecheck] = useState<{ listed?: boolean }>();
  const [saving, setSaving] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const idTouched = useRef(Boolean(initial.id));
  const savingRef = useRef(false);

  const clear = (...fields: string[]) =>
    setErrors(e => {
      const next = { ...e };
      for (const f of fields) delete next[f];
      return next;
    });
  const set = (next: Partial<AppDraft>, ...fields: string[]) => {
    setDraft(d => ({ ...d, ...next }));
    clear(...(fields.length ? fields : Object.keys(next)));
  };
  const setTiers = (tiers: TierDraft[]) => {
    setDraft(d => ({ ...d, tiers }));
    clear('tiers');
  };

  const save = async (listed: boolean = draft.listed) => {
    if (savingRef.current) {
      return;
    }
    const toSave = { ...draft, listed };
    const found = validateDraft(toSave);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setRecheck({ listed: listed === draft.listed ? undefined : listed });
      setGeneral(undefined);
      return;
    }
    setRecheck(undefined);
    savingRef.current = true;
    setSaving(true);
    setGeneral(undefined);
    try {
      const body = draftToApp(toSave);
      const saved = isNew ? await api.createApp(body) : await api.saveApp(body);
      forgetCachedCatalog();
      let message = `Saved ${saved.name}.`;
      if (savedListed && !listed) {
        message = `${saved.name} was removed from the catalog. Its requests and history are kept.`;
      } else if (!savedListed && listed) {
        message = `${saved.name} is now in the catalog.`;
      }
      setDraft(toSave);
      onSaved(saved, message);
    } catch (e) {
      const mapped = mapErrorToFields(e, knownFields(toSave));
      setErrors(mapped.fields);
      setGeneral(`Not saved: ${getErrorMessage(e)}`);
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save();
  };

  const moveTier = (index: number, delta: -1 | 1) => {
    const to = index + delta;
    if (to < 0 || to >= draft.tiers.length) {
      return;
    }
    const tiers = [...draft.tiers];
    [tiers[index], tiers[to]] = [tiers[to], tiers[index]];
    setDraft(d => ({ ...d, tiers }));
    setErrors(e =>
      moveTierErrors(e, i => {
        if (i === index) return to;
        if (i === to) return index;
        return i;
      }),
    );
  };

  const removeTier = (index: number) => {
    setDraft(d => ({ ...d, tiers: d.tiers.filter((_, i) => i !== index) }));
    setErrors(e =>
      moveTierErrors(e, i => {
        if (i === index) return undefined;
        return i > index ? i - 1 : i;
      }),
    );
  };

  const rechecked = useMemo(
    () =>
      recheck
        ? validateDraft({ ...draft, listed: recheck.listed ?? draft.listed })
        : undefined,
    [recheck, draft],
  );
  const shownErrors = rechecked ?? errors;
  let banner = general;
  if (rechecked) {
    banner =
      Object.keys(rechecked).length > 0
        ? 'Not saved: fix the fields marked in red.'
        : undefined;
  }

  const oktaAppId = draft.externalIds.oktaAppId ?? '';
  const otherIds = Object.entries(draft.externalIds).filter(
    ([k]) => k !== 'oktaAppId',
  );
  const field = (name: string) => ({
    error: Boolean(shownErrors[name]),
    helperText: shownErrors[name],
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="App editor">
      {banner && (
        <Alert severity="error" role="alert">
          <MessageText text={banner} />
        </Alert>
      )}

      <Typography variant="h6" component="h2" className={classes.section}>
        Details
      </Typography>
      <Grid container spacing={2}>
        <Grid item xs={12} sm={6}>
          <TextField
            id="app-access-app-name"
            label="Name"
            required
            // eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog starts on its first field (WAI-ARIA dialog pattern)
            autoFocus={focusName}
            value={draft.name}
            onChange={e => {
              const name = e.target.value;
              if (isNew && !idTouched.current) {
                set({ name, id: slugify(name) }, 'name', 'id');
              } else {
                set({ name });
              }
            }}
            fullWidth
            margin="dense"
            {...field('name')}
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <TextField
            id="app-access-app-id"
            label="Id"
            required
            disabled={!isNew}
            value={draft.id}
            onChange={e => {
              idTouched.current = true;
              set({ id: e.target.value });
            }}
            fullWidth
            margin="dense"
            error={Boolean(shownErrors.id)}
            helperText={
              shownErrors.id ??
              (isNew
                ? 'Lowercase letters, digits and dashes; part of the app’s address and fixed once created'
                : 'Fixed once created')
            }
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <TextField
            id="app-access-app-vendor"
            label="Vendor"
            value={draft.vendor}
            onChange={e => set({ vendor: e.target.value })}
            fullWidth
            margin="dense"
            {...field('vendor')}
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <TextField
            id="app-access-app-category"
            label="Category"
            required
            value={draft.category}
            onChange={e => set({ category: e.target.value })}
            fullWidth
            margin="dense"
            error={Boolean(shownErrors.category)}
            helperText={shownErrors.category ?? 'e.g. Design, Engineering'}
          />
        </Grid>
        <Grid item xs={12}>
          <TextField
            id="app-access-app-url"
            label="Website"
            type="url"
            placeholder="https://"
            value={draft.url}
            onChange={e => set({ url: e.target.value })}
            fullWidth
            margin="dense"
            {...field('url')}
          />
        </Grid>
        <Grid item xs={12}>
          <TextField
            id="app-access-app-description"
            label="Description"
            value={draft.description}
            onChange={e => set({ description: e.target.value })}
            fullWidth
            multiline
            minRows={2}
            margin="dense"
            {...field('description')}
          />
        </Grid>
        <Grid item xs={12}>
          <Box className={classes.preview}>
            <AppLogo
              app={{
                id: draft.id,
                name: draft.name || '?',
                logo: {
                  initials: draft.logoInitials.trim() || undefined,
                  color: draft.logoColor.trim() || undefined,
                  url: draft.logoUrl.trim() || undefined,
                },
              }}
              size="large"
            />
            <Grid container spacing={2}>
              <Grid item xs={6} sm={3}>
                <TextField
                  id="app-access-app-initials"
                  label="Logo initials"
                  value={draft.logoInitials}
                  onChange={e =>
                    set({ logoInitials: e.target.value }, 'logo.initials')
                  }
                  fullWidth
                  margin="dense"
                  {...field('logo.initials')}
                />
              </Grid>
              <Grid item xs={6} sm={3}>
                <TextField
                  id="app-access-app-colour"
                  label="Logo colour"
                  placeholder="#4a154b"
                  value={draft.logoColor}
                  onChange={e =>
                    set({ logoColor: e.target.value }, 'logo.color')
                  }
                  fullWidth
                  margin="dense"
                  {...field('logo.color')}
                />
              </Grid>
              <Grid item xs={12} sm={6}>
                <TextField
                  id="app-access-app-logo-url"
                  label="Logo URL"
                  type="url"
                  value={draft.logoUrl}
                  onChange={e => set({ logoUrl: e.target.value }, 'logo.url')}
                  fullWidth
                  margin="dense"
                  {...field('logo.url')}
                />
              </Grid>
            </Grid>
          </Box>
        </Grid>
        <Grid item xs={12} sm={6}>
          <EntityRefPicker
            id="app-access-app-owner"
            label="Owner"
            kinds={['User', 'Group']}
            value={draft.owner}
            onChange={owner => set({ owner })}
            error={shownErrors.owner}
            helperText="A user or group; can be asked to approve as “the app’s owner”"
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <OktaPicker
            kind="app"
            id="app-access-app-okta-app"
            label="Okta app (externalIds.oktaAppId)"
            value={oktaAppId}
            onChange={v =>
              set(
                { externalIds: { ...draft.externalIds, oktaAppId: v } },
                'externalIds.oktaAppId',
              )
            }
            error={shownErrors['externalIds.oktaAppId']}
          />
          {otherIds.length > 0 && (
            <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 4 }}>
              {otherIds.map(([k, v]) => (
                <Chip key={k} size="small" label={`${k}: ${v}`} />
              ))}
            </Box>
          )}
        </Grid>
      </Grid>

      <Typography variant="h6" component="h2" className={classes.section}>
        Catalog and approvals
      </Typography>
      <FormControlLabel
        control={
          <Switch
            checked={draft.listed}
            onChange={e => set({ listed: e.target.checked }, 'tiers')}
            color="primary"
          />
        }
        label="Listed in the catalog: employees can find and request it"
      />
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <TextField
            select
            id="app-access-app-approval-method"
            label="Approval method"
            value={draft.approvalMethod}
            onChange={e =>
              set({
                approvalMethod: e.target.value as AppDraft['approvalMethod'],
              })
            }
            fullWidth
            margin="dense"
            {...field('approvalMethod')}
          >
            <MenuItem value="">As in Settings</MenuItem>
            <MenuItem value="portal">In the portal</MenuItem>
            <MenuItem value="slack">Slack</MenuItem>
            <MenuItem value="email">Email</MenuItem>
            <MenuItem value="msteams">Microsoft Teams</MenuItem>
          </TextField>
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">App approval policy</Typography>
          <PolicyEditor
            prefix="approval"
            idPrefix="app-access-app-approval"
            inheritLabel="Not set: everyone, decided by the default approvers"
            own={draft.ownPolicy}
            policy={draft.approval}
            onChange={(own, approval) =>
              set({ ownPolicy: own, approval }, 'approval')
            }
            errors={shownErrors}
          />
          <Typography variant="caption" color="textSecondary">
            Tiers follow this policy unless they have their own.
          </Typography>
        </Grid>
      </Grid>

      <Typography variant="h6" component="h2" className={classes.section}>
        License tiers ({draft.tiers.length} of at most {MAX_TIERS})
      </Typography>
      {draft.tiers.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No tiers yet. An app needs at least one to be listed in the catalog.
        </Typography>
      )}
      {draft.tiers.map((tier, index) => (
        <TierEditor
          key={tier.key}
          index={index}
          count={draft.tiers.length}
          tier={tier}
          errors={shownErrors}
          appOktaAppId={oktaAppId || undefined}
          onChange={t =>
            setDraft(d => ({
              ...d,
              tiers: d.tiers.map((x, i) => (i === index ? t : x)),
            }))
          }
          onMove={delta => moveTier(index, delta)}
          onRemove={() => removeTier(index)}
        />
      ))}
      {shownErrors.tiers && (
        <Box mt={1}>
          <Alert severity="error" role="alert" data-testid="tiers-error">
            {shownErrors.tiers}
          </Alert>
        </Box>
      )}
      <Box mt={1}>
        <Button
          startIcon={<AddIcon />}
          onClick={() => setTiers([...draft.tiers, emptyTier()])}
          disabled={draft.tiers.length >= MAX_TIERS}
        >
          Add tier
        </Button>
        {draft.tiers.length >= MAX_TIERS && (
          <Typography variant="caption" color="textSecondary">
            An app has at most {MAX_TIERS} license tiers.
          </Typography>
        )}
      </Box>

      <Box className={classes.actions}>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={saving}
        >
          {saving && 'Saving…'}
          {!saving && (isNew ? 'Create app' : 'Save app')}
        </Button>
        {onCancel && (
          <Button onClick={onCancel} disabled={saving}>
            Cancel
          </Button>
        )}
        <span className={classes.spacer} />
        {!isNew && savedListed && (
          <Button
            color="secondary"
            variant="outlined"
            onClick={() => setConfirmRemove(true)}
            disabled={saving}
          >
            Remove from catalog
          </Button>
        )}
      </Box>

      <Dialog
        open={confirmRemove}
        onClose={() => setConfirmRemove(false)}
        aria-labelledby="app-access-remove-title"
      >
        <DialogTitle id="app-access-remove-title">
          Remove {draft.name || draft.id} from the catalog?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            Employees will no longer find or request it. Existing requests,
            their history and the app’s settings are kept, and you can add it
            back from “Not in catalog”.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmRemove(false)}>Keep it</Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={() => {
              setConfirmRemove(false);
              save(false);
            }}
          >
            Remove from catalog
          </Button>
        </DialogActions>
      </Dialog>
    </form>
  );
};
