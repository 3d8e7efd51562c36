/*
 * The example portal's backend: the parts of Backstage that App Access needs
 * (auth, catalog, permissions, notifications + signals) and App Access itself.
 */
import { createBackend } from '@backstage/backend-defaults';
import { demoAuthProviderModule } from './modules/demoAuthProvider';
import { examplePermissionPolicyModule } from './modules/permissionPolicy';
import { sandboxPlugin, sandboxRootConfigServiceFactory } from './sandbox';

const backend = createBackend();

// Vendor sandbox (appAccess.sandbox.enabled, never with NODE_ENV=production):
// local Okta, Jira, Zendesk, Slack, Teams and SMTP stand-ins (src/sandbox).
backend.add(sandboxRootConfigServiceFactory);
backend.add(sandboxPlugin);

backend.add(import('@backstage/plugin-app-backend'));

// auth: demo sign-in (development only, see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(demoAuthProviderModule);

// catalog: the example org and its users
backend.add(import('@backstage/plugin-catalog-backend'));

// permissions: App Access admin rights and catalog writes for the admin
// groups (appAccess.permissions.adminGroups, default it-admins) only
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(examplePermissionPolicyModule);

backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals: how requesters and approvers hear about requests
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-events-backend'));

// App Access. Each vendor module registers nothing until its appAccess.<vendor>
// section is configured (see the commented examples in app-config.yaml).
backend.add(import('@app-access/plugin-app-access-backend'));
backend.add(import('@app-access/plugin-app-access-backend-module-email'));
backend.add(import('@app-access/plugin-app-access-backend-module-slack'));
backend.add(import('@app-access/plugin-app-access-backend-module-msteams'));
backend.add(import('@app-access/plugin-app-access-backend-module-okta'));
backend.add(import('@app-access/plugin-app-access-backend-module-jira'));
backend.add(import('@app-access/plugin-app-access-backend-module-zendesk'));

// search: Lunr (in memory, no external service) over the software catalog and
// App Access's listed apps (search.collators.appAccess.schedule)
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@app-access/plugin-search-backend-module-app-access'));

// software templates, with the app-access:request action
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@app-access/plugin-scaffolder-backend-module-app-access'));

// Actions for AI assistants: an MCP server at /api/mcp-actions/v1 offering the
// actions of backend.actions.pluginSources (App Access's: find apps, request
// access, decide approvals), each run as the user whose token calls it.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// A plugin that fails to start (a migration that timed out waiting for its
// lock, an unreachable database) leaves the backend answering 503 while its
// liveness probe says 200; exiting lets the orchestrator restart it instead.
backend.start().catch(error => {
  console.error('Backend failed to start up', error);
  process.exit(1);
});
