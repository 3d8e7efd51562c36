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

/** At most this many approvers per level (as the backend allows). */
const MAX_APPROVERS = 20;

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

type LevelEditorProps = {
  level: 1 | 2;
  /** Field path prefix of the policy: "approval" or "tiers.0.approval". */
  prefix: string;
  idPrefix: string;
  approvers: ApproverDraft[];
  onChange: (approvers: ApproverDraft[]) => void;
  /** Only level 2 can be taken away (level 1 is then left alone). */
  onRemoveLevel?: () => void;
  errors: Errors;
};

/** One approval level: its approvers (any one of whom may decide), with add and remove. */
const LevelEditor = ({
  level,
  prefix,
  idPrefix,
  approvers,
  onChange,
  onRemoveLevel,
  errors,
}: LevelEditorProps) => {
  const classes = useStyles();
  const key = `level${level}`;
  return (
    <Box className={classes.level} data-testid={`${idPrefix}-${key}`}>
      <Typography variant="subtitle2">Level {level} approvers</Typography>
      {approvers.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          {level === 1
            ? 'None named: the default approvers from Settings decide.'
            : 'None yet.'}
        </Typography>
      )}
      {approvers.map((a, i) => (
        <ApproverRow
          key={i}
          idPrefix={`${idPrefix}-${key}-${i}`}
          label={`Level ${level} approver ${i + 1}`}
          approver={a}
          error={errors[`${prefix}.${key}.${i}.ref`]}
          onChange={changed =>
            onChange(approvers.map((x, j) => (j === i ? changed : x)))
          }
          onRemove={() => onChange(approvers.filter((_, j) => j !== i))}
        />
      ))}
      {errors[`${prefix}.${key}`] && (
        <Alert severity="error" role="alert">
          {errors[`${prefix}.${key}`]}
        </Alert>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        <Button
          size="small"
          startIcon={<AddIcon />}
          onClick={() => onChange([...approvers, { type: 'manager', ref: '' }])}
          disabled={approvers.length >= MAX_APPROVERS}
        >
          Add level {level} approver
        </Button>
        {onRemoveLevel && (
          <Button size="small" onClick={onRemoveLevel}>
            Remove level {level}
          </Button>
        )}
      </Box>
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
  const set = (next: Partial<PolicyDraft>) =>
    onChange(true, { ...policy, ...next });

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
          <LevelEditor
            level={1}
            prefix={prefix}
            idPrefix={idPrefix}
            approvers={policy.level1 ?? []}
            onChange={level1 => set({ level1 })}
            errors={errors}
          />
          {policy.level2 ? (
            <LevelEditor
              level={2}
              prefix={prefix}
              idPrefix={idPrefix}
              approvers={policy.level2}
              onChange={level2 => set({ level2 })}
              onRemoveLevel={() => set({ level2: undefined })}
              errors={errors}
            />
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
