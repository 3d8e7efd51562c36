import useAsync from 'react-use/esm/useAsync';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Avatar, Box, Button, Typography } from '@material-ui/core';
import { App } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { OktaApp } from '../../../api/AppAccessApi';
import { getErrorMessage, getErrorStatus } from '../../../lib/errors';
import { useOktaModule } from '../lib/useOktaModule';
import { appToDraft, AppDraft, emptyTier } from '../lib/appDraft';
import { slugify } from '../lib/validation';
import { ShortId } from '../../ShortId';
import { NO_WRAP } from '../lib/tableLayout';

/** Okta app ids App Access already knows, on the app or on a tier. */
export function knownOktaAppIds(apps: App[]): Set<string> {
  const ids = new Set<string>();
  for (const app of apps) {
    if (app.externalIds?.oktaAppId) {
      ids.add(app.externalIds.oktaAppId);
    }
    for (const tier of app.tiers ?? []) {
      if (tier.fulfillment?.type === 'okta-app') {
        ids.add(tier.fulfillment.oktaAppId);
      }
    }
  }
  return ids;
}

/** A new app from an Okta app: its name and logo, and one tier granted by assignment. */
export function draftFromOkta(okta: OktaApp): AppDraft {
  const name = okta.label || okta.name;
  const tier = emptyTier('okta-app');
  return {
    ...appToDraft({
      id: slugify(name),
      name,
      logo: okta.logoUrl ? { url: okta.logoUrl } : undefined,
      externalIds: { oktaAppId: okta.id },
      listed: false,
    }),
    tiers: [
      {
        ...tier,
        id: 'standard',
        name: 'Standard',
        fulfillment: { ...tier.fulfillment, oktaAppId: okta.id },
      },
    ],
  };
}

export type DiscoveredInOktaProps = {
  /** Every app; undefined while loading. */
  knownApps: App[] | undefined;
  onAdd: (draft: AppDraft) => void;
};

/**
 * Okta app integrations App Access does not know yet. Shown only when the
 * Okta module answers; without it (404) there is nothing to discover.
 */
export const DiscoveredInOkta = ({
  knownApps,
  onAdd,
}: DiscoveredInOktaProps) => {
  const api = useApi(appAccessApiRef);
  const oktaModule = useOktaModule();
  const okta = useAsync(
    async () =>
      oktaModule.loading || oktaModule.installed === false
        ? undefined
        : api.listOktaApps(),
    [api, oktaModule.loading, oktaModule.installed],
  );

  if (oktaModule.installed === false) {
    return (
      <Box mt={3}>
        <Typography variant="body2" color="textSecondary">
          Okta module not installed: apps cannot be discovered in Okta.
        </Typography>
      </Box>
    );
  }
  if (oktaModule.loading || okta.loading || !knownApps) {
    return null;
  }
  if (okta.error) {
    if (getErrorStatus(okta.error) === 404) {
      return null;
    }
    return (
      <Box mt={3}>
        <Typography variant="body2" color="textSecondary">
          Could not ask Okta for its apps: {getErrorMessage(okta.error)}
        </Typography>
      </Box>
    );
  }
  const known = knownOktaAppIds(knownApps);
  const unknown = (okta.value?.items ?? []).filter(a => !known.has(a.id));

  const columns: TableColumn<OktaApp>[] = [
    {
      title: 'Okta app',
      field: 'label',
      highlight: true,
      render: a => (
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <Avatar
            src={a.logoUrl}
            variant="rounded"
            style={{ width: 32, height: 32 }}
            alt=""
          >
            {(a.label || a.name).slice(0, 2)}
          </Avatar>
          {a.label || a.name}
        </Box>
      ),
    },
    { title: 'Okta name', field: 'name' },
    { title: 'Okta id', field: 'id', render: a => <ShortId id={a.id} /> },
    { title: 'Status', field: 'status' },
    {
      title: '',
      field: 'add',
      sorting: false,
      cellStyle: NO_WRAP,
      render: a => (
        <Button
          size="small"
          color="primary"
          variant="outlined"
          aria-label={`Add ${a.label || a.name}`}
          onClick={() => onAdd(draftFromOkta(a))}
        >
          Add
        </Button>
      ),
    },
  ];

  return (
    <Box mt={3} data-testid="discovered-in-okta">
      {unknown.length === 0 ? (
        <InfoCard title="Discovered in Okta">
          <Typography variant="body2" color="textSecondary">
            Every Okta app is known to App Access.
          </Typography>
        </InfoCard>
      ) : (
        <Table<OktaApp>
          title="Discovered in Okta"
          subtitle="Okta apps not yet known to App Access"
          options={{
            paging: unknown.length > 10,
            pageSize: 10,
            headerStyle: NO_WRAP,
            search: false,
            padding: 'dense',
          }}
          columns={columns}
          data={unknown}
        />
      )}
    </Box>
  );
};
