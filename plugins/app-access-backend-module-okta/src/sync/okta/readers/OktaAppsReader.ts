import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaAppJson } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** Every app of the org, whatever its status. */
export class OktaAppsReader extends OktaListReader<OktaAppJson> {
  constructor(client: OktaSyncClient, options: { pageSize?: number } = {}) {
    super(client, 'apps', '/api/v1/apps', {
      limit: oktaPageSize('apps', options.pageSize),
    });
  }
}
