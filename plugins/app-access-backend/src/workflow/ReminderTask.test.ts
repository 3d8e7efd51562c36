import { ReminderTask } from './ReminderTask';

describe('ReminderTask batch size', () => {
  it('halves after a write that held its locks past the target, down to the minimum', () => {
    const over = ReminderTask.targetWriteMs + 1;
    expect(ReminderTask.nextBatch(100, over)).toBe(50);
    let size = 100;
    for (let i = 0; i < 20; i++) size = ReminderTask.nextBatch(size, over);
    expect(size).toBe(ReminderTask.minBatch);
  });

  it('grows by half while writes stay well under the target, up to the maximum', () => {
    const quick = ReminderTask.targetWriteMs * 0.1;
    expect(ReminderTask.nextBatch(100, quick)).toBe(150);
    let size = 100;
    for (let i = 0; i < 20; i++) size = ReminderTask.nextBatch(size, quick);
    expect(size).toBe(ReminderTask.maxBatch);
  });

  it('keeps its size between 40 % of the target and the target', () => {
    for (const ms of [0.4, 0.7, 1].map(f => ReminderTask.targetWriteMs * f)) {
      expect(ReminderTask.nextBatch(120, ms)).toBe(120);
    }
  });
});
