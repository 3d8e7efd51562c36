import { LoggerService } from '@backstage/backend-plugin-api';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { SettingsStore } from '../database/SettingsStore';
import { nowIso } from '../database/json';
import { RequestWorkflow } from './RequestWorkflow';

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

  async run(now: Date = new Date()): Promise<number> {
    const { reminders } = await this.deps.settings.get();
    if (reminders.maxCount <= 0) return 0;
    const remindBefore = nowIso(
      new Date(now.getTime() - reminders.intervalHours * 3600_000),
    );
    let sent = 0;
    for (;;) {
      const due = await this.deps.tasks.tasksDueReminder({
        remindBefore,
        maxCount: reminders.maxCount,
        limit: 100,
      });
      if (!due.length) break;
      // One transaction per batch (RequestWorkflow.remindMany), not per task.
      const progressed = await this.deps.workflow.remindMany(due, now);
      sent += progressed;
      if (progressed === 0) break;
    }
    if (sent) this.deps.logger.info(`Sent ${sent} approval reminder(s)`);
    return sent;
  }
}
