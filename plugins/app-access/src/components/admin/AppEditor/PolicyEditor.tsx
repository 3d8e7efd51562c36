import {
  Box,
  Button,
  IconButton,
  makeStyles,
  MenuItem,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import { ApprovalRequirement } from '@app-access/plugin-app-access-common';
import { EntityRefPicker, EntityRefsPicker } from '../EntityRefPicker';
import { ApproverDraft, ApproverType, PolicyDraft } from '../lib/appDraft';
import { Errors } from '../lib/validation';

const useStyles = makeStyles(theme => ({
  level: {
    borderLeft: `3px solid ${theme.palette.divider}`,
    paddingLeft: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  row: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  type: {
    minWidth: 200,
  },
  ref: {
    flex: '1 1 240px',
  },
}));

const APPROVER_TYPES: Array<{ value: ApproverType; label: string }> = [
  { value: 'manager', label: 'The requester’s manager' },
  { value: 'owner', label: 'The app’s owner' },
  { value: 'user', label: 'A named person' },
  { value: 'group', label: 'A group (any member)' },
];

const REQUIREMENTS: Array<{ value: ApprovalRequirement; label: string }> = [
  { value: 'everyone', label: 'Everyone' },
  { value: 'nobody', label: 'Nobody: granted at once' },
  { value: 'except', label: 'Everyone except members of some groups' },
];

const ApproverRow = ({
  idPrefix,
  label,
  approver,
  error,
  onChange,
  onRemove,
}: {
  idPrefix: string;
  label: string;
  approver: ApproverDraft;
  error?: string;
  onChange: (a: ApproverDraft) => void;
  onRemove: () => void;
}) => {
  const classes = useStyles();
  return (
    <Box className={classes.row}>
      <TextField
        select
        id={`${idPrefix}-type`}
        label={`${label}: type`}
        className={classes.type}
        value={approver.type}
        onChange={e =>
          onChange({ type: e.target.value as ApproverType, ref: '' })
        }
        margin="dense"
      >
        {APPROVER_TYPES.map(t => (
          <MenuItem key={t.value} value={t.value}>
            {t.label}
          </MenuItem>
        ))}
      </TextField>
      {(approver.type === 'user' || approver.type === 'group') && (
        <Box className={classes.ref}>
          <EntityRefPicker
            id={`${idPrefix}-ref`}
            label={approver.type === 'user' ? 'Person' : 'Group'}
            kinds={[approver.type === 'user' ? 'User' : 'Group']}
            value={approver.ref}
            onChange={ref => onChange({ ...approver, ref })}
            error={error}
          />
        </Box>
      )}
      <Tooltip title={`Remove ${label.toLocaleLowerCase()}`}>
        <IconButton
          aria-label={`Remove ${label.toLocaleLowerCase()}`}
          onClick={onRemove}
        >
          <DeleteIcon />
        </IconButton>
      </Tooltip>
    </Box>
  );
};

export type PolicyEditorProps = {
  /** Field path prefix: "approval" or "tiers.0.approval". */
  prefix: string;
  idPrefix: string;
  /** What "no own policy" means here, e.g. "Same as the app". */
  inheritLabel: string;
  /** False: the policy is inherited and `policy` is ignored. */
  own: boolean;
  policy: PolicyDraft;
  onChange: (own: boolean, policy: PolicyDraft) => void;
  errors: Errors;
};

/**
 * Who needs approval and who gives it: at most two levels, each with any
 * number of approvers of whom any one may decide.
 */
export const PolicyEditor = ({
  prefix,
  idPrefix,
  inheritLabel,
  own,
  policy,
  onChange,
  errors,
}: PolicyEditorProps) => {
  const classes = useStyles();
  const set = (next: Partial<PolicyDraft>) =>
    onChange(true, { ...policy, ...next });

  const levelEditor = (level: 'level1' | 'level2', n: 1 | 2) => {
    const approvers = policy[level] ?? [];
    const update = (list: ApproverDraft[]) => set({ [level]: list });
    return (
      <Box className={classes.level} data-testid={`${idPrefix}-${level}`}>
        <Typography variant="subtitle2">Level {n} approvers</Typography>
        {approvers.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            {n === 1
              ? 'None named: the default approvers from Settings decide.'
              : 'None yet.'}
          </Typography>
        )}
        {approvers.map((a, i) => (
          <ApproverRow
            key={i}
            idPrefix={`${idPrefix}-${level}-${i}`}
            label={`Level ${n} approver ${i + 1}`}
            approver={a}
            error={errors[`${prefix}.${level}.${i}.ref`]}
            onChange={changed =>
              update(approvers.map((x, j) => (j === i ? changed : x)))
            }
            onRemove={() => update(approvers.filter((_, j) => j !== i))}
          />
        ))}
        {errors[`${prefix}.${level}`] && (
          <Alert severity="error" role="alert">
            {errors[`${prefix}.${level}`]}
          </Alert>
        )}
        <Box mt={1} display="flex" style={{ gap: 8 }}>
          <Button
            size="small"
            startIcon={<AddIcon />}
            onClick={() => update([...approvers, { type: 'manager', ref: '' }])}
            disabled={approvers.length >= 20}
          >
            Add level {n} approver
          </Button>
          {n === 2 && (
            <Button size="small" onClick={() => set({ level2: undefined })}>
              Remove level 2
            </Button>
          )}
        </Box>
      </Box>
    );
  };

  const value = own ? policy.required : 'inherit';
  return (
    <Box>
      <TextField
        select
        id={`${idPrefix}-required`}
        label="Who needs approval"
        value={value}
        onChange={e => {
          const v = e.target.value;
          if (v === 'inherit') {
            onChange(false, policy);
          } else {
            set({ required: v as ApprovalRequirement });
          }
        }}
        fullWidth
        margin="dense"
      >
        <MenuItem value="inherit">{inheritLabel}</MenuItem>
        {REQUIREMENTS.map(r => (
          <MenuItem key={r.value} value={r.value}>
            {r.label}
          </MenuItem>
        ))}
      </TextField>
      {own && policy.required === 'except' && (
        <EntityRefsPicker
          id={`${idPrefix}-except`}
          label="Members of these groups need no approval"
          kinds={['Group']}
          value={policy.exceptGroups}
          onChange={refs => set({ exceptGroups: refs })}
          error={errors[`${prefix}.exceptGroups`]}
        />
      )}
      {own && policy.required !== 'nobody' && (
        <>
          {levelEditor('level1', 1)}
          {policy.level2 ? (
            levelEditor('level2', 2)
          ) : (
            <Box mt={1}>
              <Tooltip
                title={
                  policy.level1.length === 0
                    ? 'Name a level 1 approver first'
                    : 'Approvers asked after level 1 approved'
                }
              >
                <span>
                  <Button
                    size="small"
                    startIcon={<AddIcon />}
                    disabled={policy.level1.length === 0}
                    onClick={() =>
                      set({ level2: [{ type: 'owner', ref: '' }] })
                    }
                  >
                    Add a second level
                  </Button>
                </span>
              </Tooltip>
            </Box>
          )}
        </>
      )}
    </Box>
  );
};
