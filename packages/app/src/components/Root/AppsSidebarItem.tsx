import { matchPath, useLocation } from 'react-router-dom';
import { SidebarItem } from '@backstage/core-components';
import AppsIcon from '@material-ui/icons/Apps';

/** Where the App Access page is mounted (App.tsx). */
export const APPS_PATH = '/apps';

/** Pages under /apps with a sidebar item of their own (the approvals inbox, My access). */
export const APPS_PAGES_WITH_OWN_ITEM = [
  `${APPS_PATH}/approvals`,
  `${APPS_PATH}/my-access`,
];

/**
 * "Apps": highlighted on every App Access page (catalog, app pages, my
 * requests, admin) except the ones with an item of their own. A SidebarItem
 * is active on its path and everything below it unless `end` is set, so
 * `end` is set exactly while one of those pages is open.
 */
export const AppsSidebarItem = () => {
  const { pathname } = useLocation();
  const onOwnItem = APPS_PAGES_WITH_OWN_ITEM.some(path =>
    matchPath({ path, end: false }, pathname),
  );
  return (
    <SidebarItem
      icon={AppsIcon}
      to={APPS_PATH.slice(1)}
      text="Apps"
      end={onOwnItem}
    />
  );
};
