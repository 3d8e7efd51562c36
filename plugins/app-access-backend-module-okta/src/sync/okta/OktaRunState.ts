import { SyncCheckpoint, SyncRunState } from '../engine/IncrementalSyncEngine';

/** Where one of a run's reads stands (saved in the checkpoint). */
export type StreamState = {
  done: boolean;
  phase: string;
  /** Page cursor of the current list. */
  after?: string;
  /** Per-item phases (members of each group, users of each app): every id up to here is finished … */
  frontier?: string;
  /** … and these later ones too (items are read a few at a time) … */
  finished?: string[];
  /** … and these are half-way: id → cursor of their next page. */
  partial?: Record<string, string>;
};

/** A pass over users, in batches a few at a time: like per-item phases, a frontier plus finished batches. */
export type PassState = {
  done: boolean;
  /** Every user id up to here is done … */
  frontier?: string;
  /** … and the batches ending in these ids past it. */
  finished?: string[];
};

export type OktaRunState = SyncRunState & {
  id: string;
  mode: 'full' | 'incremental';
  startedAt: string;
  /** Changes up to here are covered by this run; the next run starts from it. */
  watermark: string;
  /** Incremental: changes since then are read (the last watermark minus an overlap). */
  from?: string;
  lastUsedFrom: string;
  stage: 'read' | 'refresh' | 'resolve' | 'lastUsed';
  streams: Record<string, StreamState>;
  /**
   * Full runs write in two passes over the mirror's users (in id order):
   * `people` (people and group assignments, started as soon as users, group
   * members and app groups are read) and `direct` (direct assignments, and
   * users gone from Okta, once app users are read).
   */
  passes?: Partial<Record<'people' | 'direct', PassState>>;
};

export type OktaCheckpoint = SyncCheckpoint<OktaRunState> & {
  /** Watermark of the last finished run. */
  since?: string;
  lastFullAt?: string;
  lastUsedSince?: string;
  lastMode?: 'full' | 'incremental';
};
