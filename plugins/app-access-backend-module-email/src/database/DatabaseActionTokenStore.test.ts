import { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseActionTokenStore } from './DatabaseActionTokenStore';
import { DatabaseSentMailStore } from './DatabaseSentMailStore';
import { EmailRetentionTask } from './EmailRetentionTask';
import { migrateEmailDatabase } from './migrations';
import { logger } from '../__testUtils__/fixtures';

jest.setTimeout(60_000);

describe('email link and delivery stores', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let tokens: DatabaseActionTokenStore;
    let sent: DatabaseSentMailStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateEmailDatabase(knex);
      // Running the migrations again (a second replica starting) is a no-op.
      await migrateEmailDatabase(knex);
      tokens = new DatabaseActionTokenStore(knex);
      sent = new DatabaseSentMailStore(knex);
    });

    const issue = (expiresAt = new Date(Date.now() + 86_400_000)) =>
      tokens.issuePair({
        requestId: 'request-1',
        taskId: 'task-1',
        approverRef: 'user:default/sam.manager',
        expiresAt,
      });

    it('lets one use of a pair win, and can undo a claim', async () => {
      const pair = await issue();
      expect(pair.approve).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(pair.deny).not.toBe(pair.approve);
      await expect(tokens.find(pair.deny)).resolves.toMatchObject({
        groupId: pair.groupId,
        decision: 'deny',
        usedAt: undefined,
      });

      const at = new Date();
      const [first, second] = await Promise.all([
        tokens.claimGroup(pair.groupId, 'approve', at),
        tokens.claimGroup(pair.groupId, 'deny', at),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      const used = await tokens.find(pair.approve);
      expect(used?.usedAt).toBe(at.toISOString());
      expect((await tokens.find(pair.deny))?.usedDecision).toBe(
        used?.usedDecision,
      );

      await tokens.releaseGroup(pair.groupId);
      await expect(
        tokens.claimGroup(pair.groupId, 'approve', new Date()),
      ).resolves.toBe(true);
    });

    it('releases a claim only while it is the one named', async () => {
      const pair = await issue();
      const at = new Date(Date.now() - 120_000);
      await tokens.claimGroup(pair.groupId, 'approve', at);
      await expect(
        tokens.releaseStaleClaim(pair.groupId, new Date().toISOString()),
      ).resolves.toBe(false);
      expect((await tokens.find(pair.approve))?.usedAt).toBe(at.toISOString());
      await expect(
        tokens.releaseStaleClaim(pair.groupId, at.toISOString()),
      ).resolves.toBe(true);
      expect((await tokens.find(pair.deny))?.usedAt).toBeUndefined();
      // Released once: a second release of the same claim finds nothing.
      await expect(
        tokens.releaseStaleClaim(pair.groupId, at.toISOString()),
      ).resolves.toBe(false);
    });

    it('finds nothing for malformed or unknown tokens', async () => {
      const pair = await issue();
      await expect(tokens.find('')).resolves.toBeUndefined();
      await expect(tokens.find(`${pair.approve}x`)).resolves.toBeUndefined();
      await expect(
        tokens.find(pair.approve.replace(/^./, c => (c === 'A' ? 'B' : 'A'))),
      ).resolves.toBeUndefined();
    });

    it('forgets long-expired links and old delivery records', async () => {
      const old = await issue(new Date(Date.now() - 40 * 86_400_000));
      const recent = await issue(new Date(Date.now() - 86_400_000));
      await sent.recordSent(
        'notify:old',
        'user:default/sam.manager',
        '<a@acme.example>',
      );
      await sent.recordSent(
        'notify:old',
        'user:default/sam.manager',
        '<a@acme.example>',
      );
      await knex('app_access_email_sent')
        .where({ idempotency_key: 'notify:old' })
        .update({
          sent_at: new Date(Date.now() - 40 * 86_400_000).toISOString(),
        });
      await sent.recordSent(
        'notify:new',
        'user:default/sam.manager',
        '<b@acme.example>',
      );

      await new EmailRetentionTask({ tokens, sent, logger }).run();

      await expect(tokens.find(old.approve)).resolves.toBeUndefined();
      await expect(tokens.find(recent.approve)).resolves.toBeDefined();
      await expect(
        sent.wasSent('notify:old', 'user:default/sam.manager'),
      ).resolves.toBe(false);
      await expect(
        sent.wasSent('notify:new', 'user:default/sam.manager'),
      ).resolves.toBe(true);
    });
  });
});
