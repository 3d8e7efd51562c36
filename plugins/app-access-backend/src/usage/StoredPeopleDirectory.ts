import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { UsageStore } from '../database/UsageStore';

/**
 * People as the usage store knows them (copied from the catalog or synced
 * from Okta): the last directory consulted, for people the catalog lacks.
 */
export class StoredPeopleDirectory implements AppAccessDirectory {
  constructor(private readonly usage: UsageStore) {}

  async getPerson(ref: string): Promise<DirectoryPerson | undefined> {
    const p = await this.usage.getPerson(ref);
    if (!p || p.active === false) return undefined;
    return {
      ref: p.ref,
      email: p.email,
      displayName: p.displayName,
      manager: p.manager,
      groups: p.groups,
      title: p.title,
      department: p.department,
    };
  }

  async getGroupMembers(groupRef: string): Promise<string[]> {
    return this.usage.groupMembers(groupRef);
  }

  async findPersonByEmail(email: string) {
    const ref = await this.usage.refByEmail(email);
    return ref ? this.getPerson(ref) : undefined;
  }
}
