import {
  describeReclaimAnswer,
  describeReclaimDeadline,
  describeReclaimRule,
} from './reclaimText';

describe('reclamation wording', () => {
  it('states the rule, with the last sign-in only when known', () => {
    expect(
      describeReclaimRule({
        inactiveDays: 60,
        lastSignInAt: '2026-08-20T12:00:00.000Z',
      }),
    ).toBe('no sign-in for 60 days (last sign-in 2026-08-20)');
    expect(describeReclaimRule({ inactiveDays: 1 })).toBe(
      'no sign-in for 1 day',
    );
  });

  it('states the deadline and what happens after it', () => {
    expect(
      describeReclaimDeadline({ deadlineAt: '2026-12-15T09:00:00.000Z' }),
    ).toBe(
      'Answer by 2026-12-15: without an answer the access is removed then.',
    );
  });

  it('says how each answer ended', () => {
    const deadlineAt = '2026-12-15T09:00:00.000Z';
    const say = (status: any, reason?: string) =>
      describeReclaimAnswer('Notion Editor', { status, reason, deadlineAt });
    expect(say('kept', 'Weekly planning')).toBe(
      'You keep Notion Editor. Your reason: Weekly planning',
    );
    expect(say('released')).toBe(
      'You gave Notion Editor back; it is being removed. Thank you.',
    );
    expect(say('expired')).toBe(
      'No answer came by 2026-12-15: Notion Editor is being removed.',
    );
    expect(say('cancelled')).toBe(
      'The question about Notion Editor was withdrawn; you keep it.',
    );
    expect(say('asked')).toBe('Waiting for your answer about Notion Editor.');
  });
});
