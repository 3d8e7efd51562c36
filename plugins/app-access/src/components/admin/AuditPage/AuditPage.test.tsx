import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogApi } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { RequestEvent } from '@app-access/plugin-app-access-common';
import {
  batchingEntityPresentationApi,
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__';
import { dayToIso } from '../lib/download';
import { AuditPage } from './AuditPage';

jest.setTimeout(60_000);

const render = (api = createFakeApi(), catalogApi?: CatalogApi) =>
  renderInPlugin(<AuditPage />, {
    api,
    path: '/apps/admin/audit',
    route: '/apps/admin/audit',
    permissionApi: mockApis.permission(),
    catalogApi,
    entityPresentationApi:
      catalogApi && batchingEntityPresentationApi(catalogApi),
  });

const person = (name: string, displayName: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { profile: { displayName } },
});

/** 120 events, each by someone else: 118 people, a stranger and the system. */
const manyEvents: RequestEvent[] = Array.from({ length: 120 }, (_, i) => {
  let actor = `user:default/person-${i}`;
  if (i === 1) actor = 'user:default/gone.person';
  if (i === 2) actor = 'plugin:app-access';
  return {
    id: `e-${i}`,
    at: new Date(Date.UTC(2030, 0, 1, 0, 120 - i)).toISOString(),
    actor,
    type: 'approved',
    level: 1,
    requestId: `req-${i}`,
  };
});

/** The actor cell of the event on a request. */
const actorOf = (requestId: string) =>
  within(
    screen.getByRole('link', { name: requestId }).closest('tr')!,
  ).getAllByRole('cell')[2];

describe('AuditPage', () => {
  const createObjectURL = jest.fn(() => 'blob:audit');
  const revokeObjectURL = jest.fn();
  let clicked: HTMLAnchorElement[] = [];

  beforeEach(() => {
    clicked = [];
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function recordClick(this: HTMLAnchorElement) {
        clicked.push(this);
      });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('lists events, newest first, with links to their requests', async () => {
    await render();

    expect(await screen.findByText('Settings changed')).toBeInTheDocument();
    expect(screen.getByText('Approved (level 2)')).toBeInTheDocument();
    expect(screen.getByText('Marked fulfilled')).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: 'req-slack' })[0],
    ).toHaveAttribute('href', '/apps/admin/requests/req-slack');
  });

  it('filters by event, actor, app, request and dates', async () => {
    const api = createFakeApi();
    await render(api);
    await screen.findByText('Settings changed');

    await userEvent.click(
      screen.getByRole('button', { name: 'Event Any event' }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Approved' }),
    );
    fireEvent.change(screen.getByLabelText('Actor'), {
      target: { value: 'user:default/sam.manager' },
    });
    fireEvent.change(screen.getByLabelText('App id'), {
      target: { value: 'slack' },
    });
    fireEvent.change(screen.getByLabelText('Request id'), {
      target: { value: 'req-slack' },
    });
    fireEvent.change(screen.getByLabelText('Since'), {
      target: { value: '2030-01-31' },
    });
    fireEvent.change(screen.getByLabelText('Until'), {
      target: { value: '2030-01-01' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    expect(screen.getByLabelText('Until')).toHaveAccessibleDescription(
      'Must not be before “Since”',
    );
    expect(api.listAudit).toHaveBeenCalledTimes(1);

    fireEvent.change(screen.getByLabelText('Since'), {
      target: { value: '2020-01-01' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );

    await waitFor(() =>
      expect(api.listAudit).toHaveBeenLastCalledWith({
        type: 'approved',
        actor: 'user:default/sam.manager',
        appId: 'slack',
        requestId: 'req-slack',
        since: dayToIso('2020-01-01', 'start'),
        until: dayToIso('2030-01-01', 'end'),
        limit: 100,
        cursor: undefined,
      }),
    );
    expect(await screen.findByText('Approved (level 1)')).toBeInTheDocument();
    expect(screen.queryByText('Settings changed')).not.toBeInTheDocument();
  });

  it('exports the filtered trail as a CSV download', async () => {
    const api = createFakeApi();
    await render(api);
    await screen.findByText('Settings changed');

    fireEvent.change(screen.getByLabelText('App id'), {
      target: { value: 'figma' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(api.downloadAuditCsv).toHaveBeenCalledWith(
      expect.objectContaining({ appId: 'figma', limit: 5000 }),
    );
    expect(createObjectURL).toHaveBeenCalledWith(expect.any(Blob));
    expect(clicked[0].download).toBe('app-access-audit.csv');
    expect(clicked[0].getAttribute('href')).toBe('blob:audit');
  });

  it('names the actors, looking them up in one catalog request per page of events', async () => {
    const catalogApi = catalogApiMock({
      entities: manyEvents.map((_, i) => person(`person-${i}`, `Person ${i}`)),
    });
    jest.spyOn(catalogApi, 'getEntitiesByRefs');
    jest.spyOn(catalogApi, 'getEntityByRef');
    const api = createFakeApi({
      listAudit: jest.fn(async () => ({ items: manyEvents })),
    });
    await render(api, catalogApi);

    expect(await screen.findByText('Person 49')).toBeInTheDocument();
    expect(actorOf('req-0')).toHaveTextContent(/^Person 0$/);
    expect(
      within(actorOf('req-0')).getByRole('link', { name: 'Person 0' }),
    ).toHaveAttribute('href', '/catalog/default/user/person-0');
    // Someone the catalog does not know: the short ref. The system: by name.
    expect(actorOf('req-1')).toHaveTextContent(/^gone\.person$/);
    expect(actorOf('req-2')).toHaveTextContent(/^App Access$/);
    // 50 rows on the page, 49 people among them, one request.
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(
      (catalogApi.getEntitiesByRefs as jest.Mock).mock.calls[0][0].entityRefs,
    ).toHaveLength(49);
    expect(catalogApi.getEntityByRef).not.toHaveBeenCalled();

    // The next page: one more request, for its people only.
    await userEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(await screen.findByText('Person 99')).toBeInTheDocument();
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(2);
    expect(
      (catalogApi.getEntitiesByRefs as jest.Mock).mock.calls[1][0].entityRefs,
    ).toHaveLength(50);
  });

  it('shows short refs when the catalog cannot be asked, and exports raw refs', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn(async () => {
        throw new Error('catalog is down');
      }),
    });
    const csv = new Blob(
      [
        'id,at,type,actor\ne-0,2030-01-01T02:00:00Z,approved,user:default/person-0\n',
      ],
      { type: 'text/csv' },
    );
    const api = createFakeApi({
      listAudit: jest.fn(async () => ({ items: manyEvents.slice(0, 3) })),
      downloadAuditCsv: jest.fn(async () => csv),
    });
    await render(api, catalogApi);

    await waitFor(() =>
      expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1),
    );
    expect(actorOf('req-0')).toHaveTextContent(/^person-0$/);
    expect(actorOf('req-1')).toHaveTextContent(/^gone\.person$/);
    expect(actorOf('req-2')).toHaveTextContent(/^App Access$/);

    // The download is the backend's CSV as it is: raw refs, not names.
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(createObjectURL).toHaveBeenCalledWith(csv);
  });

  it('says when the export failed', async () => {
    const api = createFakeApi({
      downloadAuditCsv: jest.fn(async () => {
        throw responseError(
          403,
          'NotAllowedError',
          'You need the app-access.audit.read permission',
        );
      }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    expect(
      await screen.findByText(
        'Export failed: You need the app-access.audit.read permission',
      ),
    ).toBeInTheDocument();
  });
});

describe('AuditPage at laptop width', () => {
  const uuid = '3f2b9c1a-7d4e-4b8a-9c0f-12ab34cd56ef';

  it('shortens long request ids, with the full id on hover', async () => {
    await render(
      createFakeApi({
        listAudit: jest.fn(async () => ({
          items: [
            {
              id: 'u1',
              at: new Date().toISOString(),
              actor: 'user:default/kim.design',
              type: 'submitted' as const,
              requestId: uuid,
              appId: 'figma',
            },
          ],
        })),
      }),
    );

    const link = await screen.findByRole('link', { name: '3f2b9c1a…' });
    expect(link).toHaveAttribute('href', `/apps/admin/requests/${uuid}`);
    expect(within(link).getByTitle(uuid)).toBeInTheDocument();
    expect(screen.queryByText(uuid)).not.toBeInTheDocument();
  });

  it('keeps headers on one line and the date filters wide enough', async () => {
    await render();
    await screen.findByText('Settings changed');

    for (const name of ['When', 'Event', 'Actor', 'Request']) {
      expect(screen.getByRole('columnheader', { name })).toHaveStyle({
        whiteSpace: 'nowrap',
      });
    }
    for (const label of ['Since', 'Until']) {
      expect(
        screen.getByLabelText(label).closest('.MuiFormControl-root'),
      ).toHaveStyle({ minWidth: '160px' });
    }
  });
});
