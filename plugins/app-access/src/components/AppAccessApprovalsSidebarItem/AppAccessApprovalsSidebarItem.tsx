import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useLiveUpdates } from '../../hooks/useLiveUpdates';
import { SidebarItem } from '@backstage/core-components';
import { IconComponent, useApi } from '@backstage/core-plugin-api';
import { Badge } from '@material-ui/core';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import { appAccessApiRef } from '../../api';
import { onApprovalsChanged } from '../../lib/events';

/** How often the badge refreshes while the portal stays open. */
const REFRESH_MS = 5 * 60 * 1000;

/** Coming back to the tab fires both focus and visibilitychange: one reload. */
const FOCUS_DEBOUNCE_MS = 2000;

/** Props of the AppAccessApprovalsSidebarItem: where it links, its label and icon. */
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
  // A counter rather than useAsyncRetry's retry, which is a no-op while a
  // load is running: a decision made meanwhile must still cause a reload.
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);
  const { value: count } = useAsync(async () => {
    const page = await api.listApprovals({ limit: 100 });
    return page.items.length;
  }, [api, generation]);
  // The count follows new tasks and decisions (Backstage signals).
  useLiveUpdates(reload);

  const lastFocusReload = useRef(0);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    // A decision in the inbox (this tab).
    const unsubscribe = onApprovalsChanged(reload);
    // Back from Slack, email or another tab, where decisions happen too.
    const onFocus = () => {
      if (
        typeof document !== 'undefined' &&
        document.visibilityState === 'hidden'
      ) {
        return;
      }
      const now = Date.now();
      if (now - lastFocusReload.current < FOCUS_DEBOUNCE_MS) {
        return;
      }
      lastFocusReload.current = now;
      reload();
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      clearInterval(timer);
      unsubscribe();
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [reload]);

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

  // The count shows once, on the badge (also visible with the sidebar
  // closed); screen readers get it in the link's name instead.
  return (
    <SidebarItem
      icon={BadgedIcon}
      to={to}
      text={text}
      aria-label={count ? `${text} (${count > 99 ? '99+' : count})` : text}
    />
  );
};
