import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaLogEvent } from '../OktaObjects';
import { OktaListReader, oktaPageSize } from './OktaListReader';

/** System Log events of these types published in [since, until), oldest first. */
export class OktaSystemLogReader extends OktaListReader<OktaLogEvent> {
  constructor(
    client: OktaSyncClient,
    options: {
      since?: string;
      until: string;
      eventTypes: string[];
      pageSize?: number;
    },
  ) {
    super(client, 'logs', '/api/v1/logs', {
      since: options.since,
      until: options.until,
      filter: options.eventTypes.map(t => `eventType eq "${t}"`).join(' or '),
      sortOrder: 'ASCENDING',
      limit: oktaPageSize('logs', options.pageSize),
    });
  }
}
