import { useMemo } from 'react';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  List,
  ListItem,
  ListItemAvatar,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { useAllApps } from '../../hooks/useAllApps';
import { appRouteRef, rootRouteRef } from '../../routes';
import { AppLogo } from '../AppLogo';

/**
 * Owners are entered by admins and may omit the kind or namespace
 * ("platform", "group:platform"); refs compare case-insensitively.
 */
function normalizeRef(ref: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** Props of the EntityAppAccessCard: its title. */
export type EntityAppAccessCardProps = {
  title?: string;
};

/** On a group or user page: the App Access apps that entity owns. */
export const EntityAppAccessCard = ({
  title = 'Apps owned',
}: EntityAppAccessCardProps) => {
  const { entity } = useEntity();
  const appRoute = useRouteRef(appRouteRef);
  const rootRoute = useRouteRef(rootRouteRef);
  const { value: apps, loading, error } = useAllApps();
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');

  const owned = useMemo(
    () =>
      (apps ?? [])
        .filter(app => app.owner && normalizeRef(app.owner) === entityRef)
        .sort((a, b) => a.name.localeCompare(b.name)),
    [apps, entityRef],
  );

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (owned.length === 0) {
    body = (
      <Typography variant="body2" color="textSecondary">
        {entity.metadata.title ?? entity.metadata.name} doesn't own any apps in
        the <Link to={rootRoute()}>app catalog</Link>.
      </Typography>
    );
  } else {
    body = (
      <List dense disablePadding>
        {owned.map(app => (
          <ListItem key={app.id} disableGutters>
            <ListItemAvatar>
              <AppLogo app={app} size="small" />
            </ListItemAvatar>
            <ListItemText
              primary={<Link to={appRoute({ appId: app.id })}>{app.name}</Link>}
              secondary={[
                app.category,
                `${app.tiers.length} tier${app.tiers.length === 1 ? '' : 's'}`,
              ].join(' · ')}
            />
          </ListItem>
        ))}
      </List>
    );
  }

  return <InfoCard title={title}>{body}</InfoCard>;
};
