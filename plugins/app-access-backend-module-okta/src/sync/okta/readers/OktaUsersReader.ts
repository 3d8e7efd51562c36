import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaUserJson } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** Users updated after `since` (all of them from the epoch), DEPROVISIONED ones included. */
export class OktaUsersReader extends OktaListReader<OktaUserJson> {
  constructor(
    client: OktaSyncClient,
    options: { since: string; pageSize?: number },
  ) {
    // search (not a plain list) also returns DEPROVISIONED users.
    super(client, 'users', '/api/v1/users', {
      search: `lastUpdated gt "${options.since}"`,
      limit: oktaPageSize('users', options.pageSize),
    });
  }
}
