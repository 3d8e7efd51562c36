import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { SidebarItem } from '@backstage/core-components';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { AppsSidebarItem } from './AppsSidebarItem';

/** The items as Root lays them out (approvals without its badge). */
const Items = () => (
  <>
    <AppsSidebarItem />
    <SidebarItem icon={VpnKeyIcon} to="apps/my-access" text="My access" />
    <SidebarItem
      icon={AssignmentTurnedInIcon}
      to="apps/approvals"
      text="Approvals"
    />
  </>
);

const highlighted = () =>
  screen
    .getAllByRole('link')
    .filter(link => link.getAttribute('aria-current') === 'page')
    .map(link => link.getAttribute('aria-label'));

describe('AppsSidebarItem', () => {
  it.each([
    ['/apps', ['Apps']],
    ['/apps/figma', ['Apps']],
    ['/apps/requests/req-1', ['Apps']],
    ['/apps/admin/settings', ['Apps']],
    ['/apps/approvals', ['Approvals']],
    ['/apps/approvals/', ['Approvals']],
    ['/apps/my-access', ['My access']],
    ['/catalog', []],
  ])('on %s highlights %j only', async (route, expected) => {
    await renderInTestApp(<Items />, { routeEntries: [route] });
    expect(highlighted()).toEqual(expected);
  });
});
