import { LoggerService } from '@backstage/backend-plugin-api';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { SettingsStore } from '../database/SettingsStore';
import { nowIso } from '../database/json';
import { RequestWorkflow } from './RequestWorkflow';
import { ChannelMemo } from './TransitionWriter';

/**
 * Reminds approvers of tasks that have waited longer than the configured
 * interval, at most the configured number of times. Ignored requests stay
 * open; reminding never decides anything.
 */
export class ReminderTask {
  constructor(
    private readonly deps: {
      tasks: ApprovalTaskStore;
      settings: SettingsStore;
      workflow: RequestWorkflow;
      logger: LoggerService;
    },
  ) {}

  static readonly initialBatch = 100;
  static readonly minBatch = 10;
  /**
   * A batch's preparation (its rows built, serialised for the one write
   * statement, the reads' rows parsed) runs on the event loop in stretches
   * that grow with the batch: at up to 500 a batch, the catalog reads sharing
   * the process had their p95 at 2.0–2.8× idle during a 100,000-task sweep;
   * at 200, 1.1–1.4×, for 10 s instead of 8–10 s (bench/README.md,
   * "Reminders, third pass").
   */
  static readonly maxBatch = 200;
  /** A batch's write may hold its rows' locks this long (ms); the size follows it. */
  static readonly targetWriteMs = 50;

  /**
   * The next batch's size from how long the last batch's write took: halved
   * when it held its locks longer than the target, grown by half while it
   * stays under 40 % of it (fewer statements a task), between 10 and 200.
   */
  static nextBatch(size: number, writeMs: number): number {
    if (writeMs > ReminderTask.targetWriteMs)
      return Math.max(ReminderTask.minBatch, Math.floor(size / 2));
    if (writeMs < ReminderTask.targetWriteMs * 0.4)
      return Math.min(ReminderTask.maxBatch, Math.ceil(size * 1.5));
    return size;
  }

  async run(now: Date = new Date()): Promise<number> {
    const { reminders } = await this.deps.settings.get();
    if (reminders.maxCount <= 0) return 0;
    const remindBefore = nowIso(
      new Date(now.getTime() - reminders.intervalHours * 3600_000),
    );
    let sent = 0;
    let limit = ReminderTask.initialBatch;
    const stats = { writeMs: 0 };
    // Settings and the apps' approval methods, read once a sweep.
    const channels: ChannelMemo = new Map();
    const { tasks, workflow } = this.deps;
    for (;;) {
      const due = await tasks.tasksDueReminder({
        remindBefore,
        maxCount: reminders.maxCount,
        limit,
      });
      if (!due.length) break;
      // One write per batch, not per task. (Reading the next batch while
      // this one writes was measured slower: the reads lengthen the write,
      // and the batches shrink.)
      const progressed = await workflow.writeReminders(
        await workflow.prepareReminders(due, now, channels),
        stats,
      );
      sent += progressed;
      // Nothing counted (another replica's sweep got there first): stop.
      if (progressed === 0) break;
      limit = ReminderTask.nextBatch(limit, stats.writeMs);
      // Requests waiting on this process go first between batches.
      await new Promise(resolve => setImmediate(resolve));
    }
    if (sent) this.deps.logger.info(`Sent ${sent} approval reminder(s)`);
    return sent;
  }
}
