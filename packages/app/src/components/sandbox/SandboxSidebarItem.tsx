import useAsync from 'react-use/esm/useAsync';
import { SidebarItem } from '@backstage/core-components';
import BuildIcon from '@material-ui/icons/Build';
import { useSandboxApi } from './SandboxPage';

/** "Sandbox" in the sidebar, for App Access admins while the vendor sandbox runs. */
export const SandboxSidebarItem = () => {
  const call = useSandboxApi();
  const status = useAsync(
    async () =>
      (await call('/status').catch(() => undefined)) as
        | { enabled: boolean; admin: boolean }
        | undefined,
    [call],
  );
  if (!status.value?.enabled || !status.value.admin) return null;
  return <SidebarItem icon={BuildIcon} to="sandbox" text="Sandbox" />;
};
