import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';

/**
 * Decides whether two entity refs are the same person. A person may have
 * more than one catalog user (an admin alias such as `jane.admin` next to
 * `jane.doe`); two users with the same email address are one person, so
 * neither may decide a request the other filed, and nobody decides two
 * levels of one request through a second account.
 */
export class PersonMatcher {
  constructor(private readonly directory: AppAccessDirectory) {}

  private async emailOf(
    ref: string,
    cache: Map<string, string | undefined>,
  ): Promise<string | undefined> {
    if (!ref.startsWith('user:')) return undefined;
    if (!cache.has(ref)) {
      const email = (await this.directory.getPerson(ref))?.email;
      cache.set(ref, email ? email.trim().toLowerCase() : undefined);
    }
    return cache.get(ref);
  }

  /** The person behind a user ref, if the directory knows them (still). */
  async lookup(ref: string): Promise<DirectoryPerson | undefined> {
    return ref.startsWith('user:') ? this.directory.getPerson(ref) : undefined;
  }

  /** Whether `a` and `b` are the same person: the same user, or users sharing an email. */
  async same(a: string, b: string): Promise<boolean> {
    return (await this.firstSame(a, [b])) !== undefined;
  }

  /** The first of `refs` that is the same person as `ref`, if any. */
  async firstSame(ref: string, refs: string[]): Promise<string | undefined> {
    if (refs.includes(ref)) return ref;
    const cache = new Map<string, string | undefined>();
    const email = await this.emailOf(ref, cache);
    if (!email) return undefined;
    for (const other of refs) {
      if ((await this.emailOf(other, cache)) === email) return other;
    }
    return undefined;
  }

  /** `refs` without the users who are the same person as any of `excluded`. */
  async without(refs: string[], excluded: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const ref of refs) {
      if (
        !ref.startsWith('user:') ||
        (await this.firstSame(ref, excluded)) === undefined
      ) {
        out.push(ref);
      }
    }
    return out;
  }

  /**
   * Whether approvers (users and groups) include at least one person who is
   * none of `excluded`: a group counts when one of its members is not.
   */
  async hasOtherPerson(approvers: string[], excluded: string[]) {
    for (const ref of approvers) {
      const people = ref.startsWith('group:')
        ? await this.directory.getGroupMembers(ref)
        : [ref];
      for (const person of people) {
        if ((await this.firstSame(person, excluded)) === undefined) return true;
      }
    }
    return false;
  }
}
