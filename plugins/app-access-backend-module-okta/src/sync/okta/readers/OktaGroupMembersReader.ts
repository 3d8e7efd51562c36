import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaUserJson } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** The members of one group; Okta answers 404 when the group is gone. */
export class OktaGroupMembersReader extends OktaListReader<OktaUserJson> {
  constructor(
    client: OktaSyncClient,
    groupId: string,
    options: { pageSize?: number } = {},
  ) {
    super(
      client,
      'groups',
      `/api/v1/groups/${encodeURIComponent(groupId)}/users`,
      {
        limit: oktaPageSize('groupUsers', options.pageSize),
      },
    );
  }
}
