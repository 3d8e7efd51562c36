import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({
  id: 'app-access',
});

/*
 * Static sub-paths win over '/:appId' in react-router's ranking, so an app
 * whose id is "requests" or "approvals" would be shadowed; app ids are slugs
 * chosen by admins, so that is an accepted limitation.
 */
export const myRequestsRouteRef = createSubRouteRef({
  id: 'app-access/my-requests',
  parent: rootRouteRef,
  path: '/requests',
});

export const requestRouteRef = createSubRouteRef({
  id: 'app-access/request',
  parent: rootRouteRef,
  path: '/requests/:requestId',
});

/** What the signed-in user holds, with when it ends ("My access"). */
export const myAccessRouteRef = createSubRouteRef({
  id: 'app-access/my-access',
  parent: rootRouteRef,
  path: '/my-access',
});

export const approvalsRouteRef = createSubRouteRef({
  id: 'app-access/approvals',
  parent: rootRouteRef,
  path: '/approvals',
});

/**
 * The admin pages (settings, apps, requests, audit trail, checklist) inside
 * the App Access page. The Router shows them to admins under this path; an
 * app with the id "admin" would be shadowed like "requests" is.
 */
export const adminRouteRef = createSubRouteRef({
  id: 'app-access/admin',
  parent: rootRouteRef,
  path: '/admin',
});

/** Where AppAccessAdminPage is mounted when an app mounts it on its own. */
export const adminRootRouteRef = createRouteRef({
  id: 'app-access-admin',
});

export const appRouteRef = createSubRouteRef({
  id: 'app-access/app',
  parent: rootRouteRef,
  path: '/:appId',
});
