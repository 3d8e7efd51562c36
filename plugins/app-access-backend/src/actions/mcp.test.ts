import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { TestDatabases } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  AppAccessTestBackend,
  as,
  JANE,
  SAM,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * The whole way an assistant takes: an MCP client (the SDK's own) talks to
 * Backstage's MCP plugin, which lists and invokes App Access's actions over
 * the actions service, as the user whose token the client sends.
 */
describe('App Access over MCP', () => {
  let backend: AppAccessTestBackend;
  const clients: Client[] = [];

  beforeAll(async () => {
    backend = await startAppAccessTestBackend({
      knex: await databases.init('SQLITE_3'),
      config: {
        app: { baseUrl: 'https://portal.example.com' },
        backend: { actions: { pluginSources: ['app-access'] } },
      },
      features: [
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
      ],
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map(c => c.close()));
    await backend?.stop();
  });

  async function connectAs(userRef: string): Promise<Client> {
    const client = new Client({ name: 'app-access-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`http://localhost:${backend.server.port()}/api/mcp-actions/v1`),
        { requestInit: { headers: { Authorization: as(userRef) } } },
      ),
    );
    clients.push(client);
    return client;
  }

  const call = async (client: Client, name: string, args: object) => {
    const result = await client.callTool({ name, arguments: args as any });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as any;
  };

  // Tool names carry the plugin id (mcpActions.namespacedToolNames, on by default).
  it('lists the tools, requests access as jane.doe and approves it as sam.manager', async () => {
    const jane = await connectAs(JANE);
    const { tools } = await jane.listTools();
    const byName = new Map(tools.map(t => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual([
      'app-access.decide-access-request',
      'app-access.find-apps',
      'app-access.get-app',
      'app-access.list-my-access',
      'app-access.list-my-access-requests',
      'app-access.list-pending-access-approvals',
      'app-access.request-access',
    ]);
    expect(byName.get('app-access.find-apps')!.annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(
      byName.get('app-access.decide-access-request')!.annotations,
    ).toMatchObject({
      destructiveHint: true,
    });

    const found = await call(jane, 'app-access.find-apps', { query: 'notion' });
    expect(found.apps.map((a: any) => a.id)).toEqual(['notion']);

    const { request } = await call(jane, 'app-access.request-access', {
      appId: 'notion',
      tierId: 'editor',
      justification: 'Writing the team handbook',
    });
    expect(request).toMatchObject({
      requester: JANE,
      status: 'pending_approval',
    });

    // Jane cannot approve her own request through the assistant either.
    const own = await jane.callTool({
      name: 'app-access.decide-access-request',
      arguments: { requestId: request.id, decision: 'approve' },
    });
    expect(own.isError).toBe(true);

    const sam = await connectAs(SAM);
    const waiting = await call(
      sam,
      'app-access.list-pending-access-approvals',
      {},
    );
    expect(waiting.approvals.map((a: any) => a.request.id)).toEqual([
      request.id,
    ]);
    const decided = await call(sam, 'app-access.decide-access-request', {
      requestId: request.id,
      decision: 'approve',
      comment: 'Go ahead',
    });
    expect(decided.request).toMatchObject({
      id: request.id,
      status: 'approved',
    });

    // Approved, and from there the outbox hands it to its fulfiller.
    const mine = await call(jane, 'app-access.list-my-access-requests', {});
    expect(mine.requests).toHaveLength(1);
    expect(mine.requests[0].id).toBe(request.id);
    expect(['approved', 'fulfilling', 'awaiting_it']).toContain(
      mine.requests[0].status,
    );
  });
});
