import { NotAllowedError } from '@backstage/errors';
import {
  OPEN_STATUSES,
  PersonAccess,
} from '@app-access/plugin-app-access-common';
import { AppAccessDirectory } from '@app-access/plugin-app-access-node';
import { RequestStore } from '../database/RequestStore';
import { Caller, requesterView } from '../workflow/RequestWorkflow';

/** How many of each list a person's access shows (newest first). */
export const PERSON_ACCESS_LIMIT = 100;

/**
 * A person's current access (fulfilled requests) and open requests, for
 * their User page: the person and their manager may read it, nobody else.
 */
export class PersonAccessService {
  constructor(
    private readonly deps: {
      requests: RequestStore;
      directory: AppAccessDirectory;
    },
  ) {}

  async get(caller: Caller, userRef: string): Promise<PersonAccess> {
    if (caller.userRef !== userRef) {
      const person = await this.deps.directory.getPerson(userRef);
      if (!person?.manager || person.manager !== caller.userRef) {
        throw new NotAllowedError(
          "Only the person and their manager may see a person's access",
        );
      }
    }
    const [access, open] = await Promise.all([
      this.deps.requests.list({
        requester: userRef,
        status: ['fulfilled'],
        limit: PERSON_ACCESS_LIMIT,
      }),
      this.deps.requests.list({
        requester: userRef,
        status: OPEN_STATUSES,
        limit: PERSON_ACCESS_LIMIT,
      }),
    ]);
    return {
      user: userRef,
      access: access.items.map(requesterView),
      open: open.items.map(requesterView),
    };
  }
}
