import { LeaverList } from '@app-access/plugin-app-access-common';
import { LeaverStore } from '../database/LeaverStore';
import { publicRequest } from '../workflow/RequestWorkflow';

/** People who left the directory and the access App Access granted them, for admins. */
export class LeaverService {
  constructor(private readonly deps: { leavers: LeaverStore }) {}

  /**
   * The access App Access granted a person: for now their fulfilled
   * requests; a grants table (access that ends) can answer here later
   * without changing callers.
   */
  async listGrantedToLeaver(ref: string) {
    return (await this.deps.leavers.grantedTo(ref)).map(publicRequest);
  }

  async list(): Promise<LeaverList> {
    const people = await this.deps.leavers.leaversWithGrants();
    return {
      items: await Promise.all(
        people.map(async person => ({
          ...person,
          granted: await this.listGrantedToLeaver(person.ref),
        })),
      ),
    };
  }
}
