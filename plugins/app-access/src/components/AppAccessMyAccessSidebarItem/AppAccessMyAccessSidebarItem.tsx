import { SidebarItem } from '@backstage/core-components';
import { IconComponent } from '@backstage/core-plugin-api';
import VpnKeyIcon from '@material-ui/icons/VpnKey';

/** Props of the AppAccessMyAccessSidebarItem: where it links, its label and icon. */
export type AppAccessMyAccessSidebarItemProps = {
  /** Where My access is mounted; defaults to the /apps mount. */
  to?: string;
  text?: string;
  icon?: IconComponent;
};

/**
 * Sidebar link to "My access": what the signed-in user holds through App
 * Access, with when it ends, Extend and Remove.
 */
export const AppAccessMyAccessSidebarItem = ({
  to = 'apps/my-access',
  text = 'My access',
  icon = VpnKeyIcon,
}: AppAccessMyAccessSidebarItemProps) => (
  <SidebarItem icon={icon} to={to} text={text} />
);
