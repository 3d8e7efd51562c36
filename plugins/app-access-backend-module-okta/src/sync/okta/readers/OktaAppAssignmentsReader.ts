import { OktaSyncClient } from '../../OktaSyncClient';
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
