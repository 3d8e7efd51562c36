import {
  AppAccessUsageApi,
  UsageSyncState,
} from '@app-access/plugin-app-access-node';

/**
 * Where a sync keeps its checkpoint and progress between attempts. The engine
 * only needs to read the last state and merge changes into it, so a directory
 * sync can keep its progress wherever its core does.
 */
export interface SyncProgressStore {
  load(): Promise<UsageSyncState | undefined>;
  save(changes: Partial<UsageSyncState>): Promise<void>;
}

/** Progress kept in the App Access core's sync state (GET /api/app-access/admin/sync). */
export class UsageSyncProgressStore implements SyncProgressStore {
  constructor(
    private readonly usage: Pick<
      AppAccessUsageApi,
      'getSyncState' | 'saveSyncState'
    >,
    private readonly syncId: string,
  ) {}

  load() {
    return this.usage.getSyncState(this.syncId);
  }

  save(changes: Partial<UsageSyncState>) {
    return this.usage.saveSyncState(this.syncId, changes);
  }
}
