import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { emailMigrations, migrateEmailDatabase } from './migrations';
import { ReclaimTokenStore } from './ReclaimTokenStore';

jest.setTimeout(60_000);

const TABLE = 'app_access_email_reclaim_tokens';
const LEASE_MS = 30_000;

describe('reclamation link store', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let tokens: ReclaimTokenStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
      tokens = new ReclaimTokenStore(knex);
    });

    const issue = () =>
      tokens.issuePair({
        questionId: 'question-1',
        holderRef: 'user:default/jane.doe',
        subject: 'Notion Editor',
        expiresAt: new Date(Date.now() + 14 * 86_400_000),
      });

    it('gives the lease to one of two uses at once, and to nobody else until it runs out', async () => {
      const pair = await issue();
      const at = new Date();
      const owners = await Promise.all([
        tokens.claimGroup(pair.groupId, at, LEASE_MS),
        tokens.claimGroup(pair.groupId, at, LEASE_MS),
      ]);
      expect(owners.filter(Boolean)).toHaveLength(1);
      const first = owners.find(Boolean)!;
      await expect(tokens.find(pair.release)).resolves.toMatchObject({
        claimedAt: at.toISOString(),
      });
      // A lease is not a use: neither link reads as used.
      expect((await tokens.find(pair.keep))?.usedAt).toBeUndefined();

      // Still held just before it runs out; taken over once it has.
      const almost = new Date(at.getTime() + LEASE_MS - 1);
      await expect(
        tokens.claimGroup(pair.groupId, almost, LEASE_MS),
      ).resolves.toBeUndefined();
      const later = new Date(at.getTime() + LEASE_MS);
      const second = await tokens.claimGroup(pair.groupId, later, LEASE_MS);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);

      // The first owner, back late, cannot give up the lease it lost.
      await tokens.releaseGroup(pair.groupId, first);
      await expect(tokens.find(pair.keep)).resolves.toMatchObject({
        claimedAt: later.toISOString(),
      });
      await tokens.releaseGroup(pair.groupId, second!);
      expect((await tokens.find(pair.keep))?.claimedAt).toBeUndefined();
      // Released: the next use claims at once.
      await expect(
        tokens.claimGroup(pair.groupId, new Date(), LEASE_MS),
      ).resolves.toBeDefined();
    });

    it('marks both links used with the accepted answer; used links are never leased again', async () => {
      const pair = await issue();
      const owner = await tokens.claimGroup(pair.groupId, new Date(), LEASE_MS);
      expect(owner).toBeDefined();
      const at = new Date();
      await tokens.markUsed(pair.groupId, 'keep', at);
      for (const token of [pair.keep, pair.release]) {
        const found = await tokens.find(token);
        expect(found).toMatchObject({
          usedAt: at.toISOString(),
          usedAnswer: 'keep',
        });
        expect(found?.claimedAt).toBeUndefined();
      }
      const muchLater = new Date(Date.now() + 10 * LEASE_MS);
      await expect(
        tokens.claimGroup(pair.groupId, muchLater, LEASE_MS),
      ).resolves.toBeUndefined();
      // A second mark (a retry after the lease ran out) keeps the first.
      await tokens.markUsed(pair.groupId, 'keep', muchLater);
      await expect(tokens.find(pair.keep)).resolves.toMatchObject({
        usedAt: at.toISOString(),
      });
    });

    it('adds the lease columns to links issued before them, and takes them away again', async () => {
      // The links of an email sent before the upgrade.
      await knex.migrate.down(emailMigrations);
      expect(await knex.schema.hasColumn(TABLE, 'claimed_at')).toBe(false);
      await knex(TABLE).insert({
        token_hash: 'a'.repeat(64),
        group_id: 'old-group',
        question_id: 'question-old',
        holder_ref: 'user:default/jane.doe',
        subject: 'Notion Editor',
        answer: 'release',
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
        used_at: null,
        used_answer: null,
        created_at: new Date().toISOString(),
      });

      await migrateEmailDatabase(knex);
      expect(await knex.schema.hasColumn(TABLE, 'claimed_at')).toBe(true);
      expect(await knex.schema.hasColumn(TABLE, 'claim_owner')).toBe(true);
      const owner = await tokens.claimGroup('old-group', new Date(), LEASE_MS);
      expect(owner).toBeDefined();
      await tokens.markUsed('old-group', 'release', new Date());
      const row = await knex(TABLE).where({ group_id: 'old-group' }).first();
      expect(row).toMatchObject({ used_answer: 'release', claim_owner: null });
    });
  });
});
