import {
  Box,
  FormControlLabel,
  FormHelperText,
  Grid,
  IconButton,
  makeStyles,
  MenuItem,
  Paper,
  Switch,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import DeleteIcon from '@material-ui/icons/Delete';
import { OktaPicker } from '../OktaPicker';
import { FulfillmentType, TierDraft } from '../lib/appDraft';
import { Errors } from '../lib/validation';
import { PolicyEditor } from './PolicyEditor';

const useStyles = makeStyles(theme => ({
  tier: {
    padding: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  head: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  title: {
    flex: 1,
  },
}));

const FULFILLMENTS: Array<{ value: FulfillmentType; label: string }> = [
  { value: 'okta-group', label: 'Okta group: added automatically' },
  { value: 'okta-app', label: 'Okta app assignment: automatically' },
  { value: 'ticket', label: 'Ticket for IT (the active ticketing system)' },
  { value: 'manual', label: 'Manual: IT marks it done in the portal' },
];

export type TierEditorProps = {
  index: number;
  count: number;
  tier: TierDraft;
  errors: Errors;
  /** The app's Okta app id, offered for "Okta app assignment". */
  appOktaAppId?: string;
  onChange: (tier: TierDraft) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
};

/** One license tier: what it is, who approves it, and how access is granted. */
export const TierEditor = ({
  index,
  count,
  tier,
  errors,
  appOktaAppId,
  onChange,
  onMove,
  onRemove,
}: TierEditorProps) => {
  const classes = useStyles();
  const p = `tiers.${index}`;
  const idp = `app-access-tier-${index}`;
  const name = tier.name.trim() || `Tier ${index + 1}`;
  const set = (next: Partial<TierDraft>) => onChange({ ...tier, ...next });

  return (
    <Paper
      variant="outlined"
      className={classes.tier}
      data-testid={`tier-${index}`}
      aria-label={`Tier ${index + 1}`}
      role="group"
    >
      <Box className={classes.head}>
        <Typography variant="subtitle1" className={classes.title}>
          {index + 1}. {name}
        </Typography>
        <Tooltip title="Move up">
          <span>
            <IconButton
              size="small"
              aria-label={`Move ${name} up`}
              disabled={index === 0}
              onClick={() => onMove(-1)}
            >
              <ArrowUpwardIcon />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Move down">
          <span>
            <IconButton
              size="small"
              aria-label={`Move ${name} down`}
              disabled={index === count - 1}
              onClick={() => onMove(1)}
            >
              <ArrowDownwardIcon />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Remove tier">
          <IconButton
            size="small"
            aria-label={`Remove ${name}`}
            onClick={onRemove}
          >
            <DeleteIcon />
          </IconButton>
        </Tooltip>
      </Box>
      <Grid container spacing={2}>
        <Grid item xs={12} sm={4}>
          <TextField
            id={`${idp}-id`}
            label="Tier id"
            required
            value={tier.id}
            onChange={e => set({ id: e.target.value })}
            fullWidth
            margin="dense"
            error={Boolean(errors[`${p}.id`])}
            helperText={errors[`${p}.id`] ?? 'e.g. member, admin'}
          />
        </Grid>
        <Grid item xs={12} sm={8}>
          <TextField
            id={`${idp}-name`}
            label="Tier name"
            required
            value={tier.name}
            onChange={e => set({ name: e.target.value })}
            fullWidth
            margin="dense"
            error={Boolean(errors[`${p}.name`])}
            helperText={errors[`${p}.name`]}
          />
        </Grid>
        <Grid item xs={12}>
          <TextField
            id={`${idp}-description`}
            label="Tier description"
            value={tier.description}
            onChange={e => set({ description: e.target.value })}
            fullWidth
            multiline
            margin="dense"
            error={Boolean(errors[`${p}.description`])}
            helperText={errors[`${p}.description`]}
          />
        </Grid>
        <Grid item xs={12} sm={5}>
          <TextField
            id={`${idp}-cost`}
            label="Cost per seat a month"
            value={tier.cost}
            onChange={e => set({ cost: e.target.value })}
            fullWidth
            margin="dense"
            inputProps={{ inputMode: 'decimal' }}
            error={Boolean(errors[`${p}.costPerSeatMonthly`])}
            helperText={
              errors[`${p}.costPerSeatMonthly`] ??
              'Optional; only admins see prices and seats'
            }
          />
        </Grid>
        <Grid item xs={12} sm={2}>
          <TextField
            id={`${idp}-currency`}
            label="Currency"
            placeholder="EUR"
            value={tier.currency}
            onChange={e => set({ currency: e.target.value.toUpperCase() })}
            fullWidth
            margin="dense"
            inputProps={{ maxLength: 3 }}
            error={Boolean(errors[`${p}.currency`])}
            helperText={errors[`${p}.currency`]}
          />
        </Grid>
        <Grid item xs={12} sm={5}>
          <TextField
            id={`${idp}-seats`}
            label="Seats bought"
            value={tier.seats}
            onChange={e => set({ seats: e.target.value })}
            fullWidth
            margin="dense"
            inputProps={{ inputMode: 'numeric' }}
            error={Boolean(errors[`${p}.seatsPurchased`])}
            helperText={errors[`${p}.seatsPurchased`]}
          />
        </Grid>
        <Grid item xs={12} sm={4}>
          <FormControlLabel
            control={
              <Switch
                id={`${idp}-auto-reclaim`}
                checked={tier.autoReclaim}
                onChange={e => set({ autoReclaim: e.target.checked })}
                color="primary"
              />
            }
            label="Auto-reclaim"
          />
          <FormHelperText error={Boolean(errors[`${p}.autoReclaim`])}>
            {errors[`${p}.autoReclaim`] ??
              (tier.autoReclaim
                ? 'Holders who do not use it are asked to keep it or give it back'
                : 'Off: unused access is only offered back by a campaign')}
          </FormHelperText>
        </Grid>
        {tier.autoReclaim && (
          <>
            <Grid item xs={12} sm={4}>
              <TextField
                id={`${idp}-reclaim-inactive`}
                label="Unused for (days)"
                value={tier.reclaimInactiveDays}
                onChange={e => set({ reclaimInactiveDays: e.target.value })}
                fullWidth
                margin="dense"
                inputProps={{ inputMode: 'numeric' }}
                error={Boolean(errors[`${p}.autoReclaim.inactiveDays`])}
                helperText={
                  errors[`${p}.autoReclaim.inactiveDays`] ??
                  'No sign-in for this long, or none since it was granted'
                }
              />
            </Grid>
            <Grid item xs={12} sm={4}>
              <TextField
                id={`${idp}-reclaim-answer`}
                label="Time to answer (days)"
                value={tier.reclaimAnswerDays}
                onChange={e => set({ reclaimAnswerDays: e.target.value })}
                fullWidth
                margin="dense"
                inputProps={{ inputMode: 'numeric' }}
                error={Boolean(errors[`${p}.autoReclaim.answerDays`])}
                helperText={
                  errors[`${p}.autoReclaim.answerDays`] ??
                  'No answer by then removes the access'
                }
              />
            </Grid>
          </>
        )}
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">Approval</Typography>
          <PolicyEditor
            prefix={`${p}.approval`}
            idPrefix={`${idp}-approval`}
            inheritLabel="Same as the app"
            own={tier.ownPolicy}
            policy={tier.approval}
            onChange={(own, approval) => set({ ownPolicy: own, approval })}
            errors={errors}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">Fulfillment</Typography>
          <TextField
            select
            id={`${idp}-fulfillment`}
            label="How access is granted"
            value={tier.fulfillment.type}
            onChange={e => {
              const type = e.target.value as FulfillmentType;
              set({
                fulfillment: {
                  ...tier.fulfillment,
                  type,
                  oktaAppId:
                    type === 'okta-app' && !tier.fulfillment.oktaAppId
                      ? appOktaAppId ?? ''
                      : tier.fulfillment.oktaAppId,
                },
              });
            }}
            fullWidth
            margin="dense"
          >
            {FULFILLMENTS.map(f => (
              <MenuItem key={f.value} value={f.value}>
                {f.label}
              </MenuItem>
            ))}
          </TextField>
          {tier.fulfillment.type === 'okta-group' && (
            <OktaPicker
              kind="group"
              id={`${idp}-okta-group`}
              label="Okta group"
              required
              value={tier.fulfillment.oktaGroupId}
              onChange={oktaGroupId =>
                set({ fulfillment: { ...tier.fulfillment, oktaGroupId } })
              }
              error={errors[`${p}.fulfillment.oktaGroupId`]}
            />
          )}
          {tier.fulfillment.type === 'okta-app' && (
            <OktaPicker
              kind="app"
              id={`${idp}-okta-app`}
              label="Okta app"
              required
              value={tier.fulfillment.oktaAppId}
              onChange={oktaAppId =>
                set({ fulfillment: { ...tier.fulfillment, oktaAppId } })
              }
              error={errors[`${p}.fulfillment.oktaAppId`]}
            />
          )}
        </Grid>
      </Grid>
    </Paper>
  );
};
