import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { SidebarItem } from '@backstage/core-components';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import { AppsSidebarItem } from './AppsSidebarItem';

/** The two items as Root lays them out (approvals without its badge). */
const Items = () => (
  <>
    <AppsSidebarItem />
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
    ['/catalog', []],
  ])('on %s highlights %j only', async (route, expected) => {
    await renderInTestApp(<Items />, { routeEntries: [route] });
    expect(highlighted()).toEqual(expected);
  });
});
