import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaGroupJson } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** Every group of the org. */
export class OktaGroupsReader extends OktaListReader<OktaGroupJson> {
  constructor(client: OktaSyncClient, options: { pageSize?: number } = {}) {
    super(client, 'groups', '/api/v1/groups', {
      limit: oktaPageSize('groups', options.pageSize),
    });
  }
}
