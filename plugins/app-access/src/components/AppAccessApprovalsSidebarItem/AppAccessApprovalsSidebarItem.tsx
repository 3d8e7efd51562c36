import { useEffect, useMemo } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { SidebarItem } from '@backstage/core-components';
import { IconComponent, useApi } from '@backstage/core-plugin-api';
import { Badge } from '@material-ui/core';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import { appAccessApiRef } from '../../api';

/** How often the badge refreshes while the portal stays open. */
const REFRESH_MS = 5 * 60 * 1000;

export type AppAccessApprovalsSidebarItemProps = {
  /** Where the approvals inbox is mounted; defaults to the /apps mount. */
  to?: string;
  text?: string;
  icon?: IconComponent;
};

/**
 * Sidebar link to the approvals inbox, with the number of requests waiting
 * for the signed-in user.
 */
export const AppAccessApprovalsSidebarItem = ({
  to = 'apps/approvals',
  text = 'Approvals',
  icon: Icon = AssignmentTurnedInIcon,
}: AppAccessApprovalsSidebarItemProps) => {
  const api = useApi(appAccessApiRef);
  const { value: count, retry } = useAsyncRetry(async () => {
    const page = await api.listApprovals({ limit: 100 });
    return page.items.length;
  }, [api]);

  useEffect(() => {
    const timer = setInterval(retry, REFRESH_MS);
    return () => clearInterval(timer);
  }, [retry]);

  // SidebarItem wants a component, so the badge is baked into one; it is
  // only recreated when the count changes.
  const BadgedIcon = useMemo<IconComponent>(() => {
    const Badged = (props: {}) => (
      <Badge
        badgeContent={count || undefined}
        color="secondary"
        max={99}
        invisible={!count}
        overlap="rectangular"
        data-testid="app-access-approvals-badge"
      >
        <Icon {...props} />
      </Badge>
    );
    return Badged as IconComponent;
  }, [count, Icon]);

  return (
    <SidebarItem
      icon={BadgedIcon}
      to={to}
      text={count ? `${text} (${count > 99 ? '99+' : count})` : text}
      hasNotifications={Boolean(count)}
    />
  );
};
