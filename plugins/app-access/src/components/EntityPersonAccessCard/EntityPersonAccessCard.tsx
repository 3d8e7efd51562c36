import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  List,
  ListItem,
  ListItemSecondaryAction,
  ListItemText,
  Typography,
} from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { requestRouteRef } from '../../routes';
import { StatusChip } from '../StatusChip';

export type EntityPersonAccessCardProps = {
  title?: string;
};

function RequestList(props: {
  items: AccessRequest[];
  empty: string;
  label: string;
}) {
  const requestRoute = useRouteRef(requestRouteRef);
  if (props.items.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary" paragraph>
        {props.empty}
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label={props.label}>
      {props.items.map(r => (
        <ListItem key={r.id} disableGutters>
          <ListItemText
            primary={
              <Link to={requestRoute({ requestId: r.id })}>
                {r.tierName ? `${r.appName} · ${r.tierName}` : r.appName}
              </Link>
            }
          />
          <ListItemSecondaryAction>
            <StatusChip status={r.status} />
          </ListItemSecondaryAction>
        </ListItem>
      ))}
    </List>
  );
}

/**
 * On a User page: the apps the person has access to through App Access and
 * their open requests. Only the person and their manager see it; App Access
 * checks that, and anyone else is told so.
 */
export const EntityPersonAccessCard = ({
  title = 'App access',
}: EntityPersonAccessCardProps) => {
  const { entity } = useEntity();
  const api = useApi(appAccessApiRef);
  const userRef = stringifyEntityRef(entity);
  const name =
    (entity.spec as { profile?: { displayName?: string } } | undefined)?.profile
      ?.displayName ?? entity.metadata.name;
  const { value, loading, error } = useAsync(
    () => api.getPersonAccess(userRef),
    [api, userRef],
  );

  let body;
  if (entity.kind.toLocaleLowerCase('en-US') !== 'user') {
    body = (
      <Typography variant="body2" color="textSecondary">
        App access is shown on User pages.
      </Typography>
    );
  } else if (loading) {
    body = <Progress />;
  } else if (
    (error as { response?: { status?: number } } | undefined)?.response
      ?.status === 403
  ) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Only {name} and their manager can see {name}'s app access.
      </Typography>
    );
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (value) {
    body = (
      <>
        <Typography variant="subtitle2">Has access to</Typography>
        <RequestList
          items={value.access}
          label="Has access to"
          empty="No access granted through App Access yet."
        />
        <Typography variant="subtitle2">Open requests</Typography>
        <RequestList
          items={value.open}
          label="Open requests"
          empty="No open requests."
        />
      </>
    );
  }
  return <InfoCard title={title}>{body}</InfoCard>;
};
