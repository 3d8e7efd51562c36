import {
  AccessRequest,
  LeaverList,
} from '@app-access/plugin-app-access-common';
import { LeaverStore } from '../database/LeaverStore';
import { RequestStore } from '../database/RequestStore';
import { publicRequest } from '../workflow/RequestWorkflow';

/** People who left the directory and the access App Access granted them, for admins. */
export class LeaverService {
  constructor(
    private readonly deps: { leavers: LeaverStore; requests: RequestStore },
  ) {}

  /**
   * The access App Access granted a person that they still hold, read from
   * their grants (`access_grants`: active, or removal not finished; removed
   * or expired access is left out), each as the request that granted it.
   */
  async listGrantedToLeaver(ref: string): Promise<AccessRequest[]> {
    const granted: AccessRequest[] = [];
    for (const grant of await this.deps.leavers.grantedTo(ref)) {
      const request = await this.deps.requests.get(grant.requestId);
      if (request) granted.push(publicRequest(request));
    }
    return granted;
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
