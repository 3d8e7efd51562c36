import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Chip, makeStyles, Typography } from '@material-ui/core';
import PersonIcon from '@material-ui/icons/Person';
import LockIcon from '@material-ui/icons/Lock';
import { AppPeers } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { getErrorMessage, getErrorStatus } from '../../lib/errors';
import { EntityName, EntityNames } from '../EntityName';

/** Names shown before "Show all". */
export const PEOPLE_SHOWN = 12;

const useStyles = makeStyles(theme => ({
  section: {
    '& + &': {
      marginTop: theme.spacing(2),
    },
  },
  people: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    listStyle: 'none',
    margin: theme.spacing(1, 0, 0),
    padding: 0,
  },
  note: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(2),
  },
}));

type Person = { ref: string; displayName?: string };

const People = ({ people, label }: { people: Person[]; label: string }) => {
  const classes = useStyles();
  const [all, setAll] = useState(false);
  if (people.length === 0) {
    return null;
  }
  const shown = all ? people : people.slice(0, PEOPLE_SHOWN);
  return (
    <>
      <ul className={classes.people} aria-label={label}>
        {shown.map(person => (
          <li key={person.ref}>
            <Chip
              size="small"
              variant="outlined"
              icon={<PersonIcon />}
              label={
                <EntityName
                  entityRef={person.ref}
                  displayName={person.displayName}
                />
              }
            />
          </li>
        ))}
      </ul>
      {people.length > PEOPLE_SHOWN && (
        <Button size="small" onClick={() => setAll(v => !v)}>
          {all ? 'Show fewer' : `Show all ${people.length}`}
        </Button>
      )}
    </>
  );
};

function teamSentence(team: AppPeers['team']): string {
  if (team.size === 0) {
    return "You aren't in a team in the catalog, so there is no team to compare with.";
  }
  return `${team.count} of ${team.size} on your team use it`;
}

function roleSentence(role: AppPeers['role']): string {
  if (!role.value) {
    return `Your ${role.basis} isn't in the directory, so there is no one to compare with.`;
  }
  return `${role.count} of ${role.size} people with your ${role.basis} (${role.value}) use it`;
}

/** "Who uses it" on the app page: counts, and names as the privacy setting allows. */
export const WhoUsesIt = ({ appId }: { appId: string }) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const { value, loading, error } = useAsync(
    () => api.getAppPeers(appId),
    [api, appId],
  );

  // Without peer usage on the backend there is nothing to say.
  if (error && getErrorStatus(error) === 404) {
    return null;
  }

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error || !value) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Couldn't look up who uses it
        {error ? `: ${getErrorMessage(error)}` : ''}
      </Typography>
    );
  } else {
    body = (
      <>
        <Box className={classes.section}>
          <Typography variant="subtitle2" component="h3">
            Your team
          </Typography>
          <Typography variant="body2">{teamSentence(value.team)}</Typography>
          {value.team.groups.length > 0 && (
            <Typography variant="caption" color="textSecondary">
              Members of{' '}
              <EntityNames
                entityRefs={value.team.groups}
                lastSeparator=" and "
              />
            </Typography>
          )}
          <People
            people={value.team.people ?? []}
            label="Teammates who use it"
          />
        </Box>
        <Box className={classes.section}>
          <Typography variant="subtitle2" component="h3">
            Your role
          </Typography>
          <Typography variant="body2">{roleSentence(value.role)}</Typography>
          <People
            people={value.role.people ?? []}
            label="People in your role who use it"
          />
        </Box>
        {value.namesHidden && (
          <Typography
            variant="caption"
            color="textSecondary"
            component="p"
            className={classes.note}
          >
            <LockIcon fontSize="inherit" aria-hidden />
            Names outside your team are hidden by your company's privacy
            setting.
          </Typography>
        )}
      </>
    );
  }

  return <InfoCard title="Who uses it">{body}</InfoCard>;
};
