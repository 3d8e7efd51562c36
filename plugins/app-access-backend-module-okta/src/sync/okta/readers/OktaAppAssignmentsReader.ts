import {
  CursorSlot,
  SyncRunControls,
} from '../../engine/IncrementalSyncEngine';
import { SyncReader } from '../../engine/SyncReader';
import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaSyncStore } from '../../OktaSyncStore';
import { OktaAppGroupJson, OktaAppUserJson } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** The groups assigned to one app; Okta answers 404 when the app is gone. */
export class OktaAppGroupsReader extends OktaListReader<OktaAppGroupJson> {
  constructor(
    client: OktaSyncClient,
    appId: string,
    options: { pageSize?: number } = {},
  ) {
    super(client, 'apps', `/api/v1/apps/${encodeURIComponent(appId)}/groups`, {
      limit: oktaPageSize('appGroups', options.pageSize),
    });
  }
}

/**
 * The users assigned to one app, directly (`scope` USER) or through a group;
 * Okta answers 404 when the app is gone.
 */
export class OktaAppUsersReader extends OktaListReader<OktaAppUserJson> {
  constructor(
    client: OktaSyncClient,
    appId: string,
    options: { pageSize?: number } = {},
  ) {
    super(client, 'apps', `/api/v1/apps/${encodeURIComponent(appId)}/users`, {
      limit: oktaPageSize('appUsers', options.pageSize),
    });
  }
}

/**
 * Reads all pages of an app's groups or users; an app deleted since it was
 * listed (Okta answers 404) is marked DELETED in the mirror and false is
 * returned.
 */
export async function readAppAssignments<T>(
  controls: Pick<SyncRunControls, 'read'>,
  store: Pick<OktaSyncStore, 'getApp' | 'upsertApps'>,
  reader: SyncReader<T>,
  appId: string,
  cursor: CursorSlot,
  onPage: (items: T[]) => Promise<void>,
): Promise<boolean> {
  try {
    await controls.read(reader, cursor, onPage);
    return true;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    const app = await store.getApp(appId);
    if (app) await store.upsertApps([{ ...app, status: 'DELETED' }]);
    return false;
  }
}
