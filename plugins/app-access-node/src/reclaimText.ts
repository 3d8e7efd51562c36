import { ReclaimQuestion } from '@app-access/plugin-app-access-common';
import { AppAccessReclaimAsk } from './extensions';

const day = (iso?: string) => (iso ? iso.slice(0, 10) : '');

/**
 * The rule a reclamation question applies, for every channel: "no sign-in
 * for 60 days (last sign-in 2026-09-01)"; the last sign-in only when known.
 * @public
 */
export function describeReclaimRule(
  ask: Pick<AppAccessReclaimAsk, 'inactiveDays' | 'lastSignInAt'>,
): string {
  const rule = `no sign-in for ${ask.inactiveDays} day${
    ask.inactiveDays === 1 ? '' : 's'
  }`;
  return ask.lastSignInAt
    ? `${rule} (last sign-in ${day(ask.lastSignInAt)})`
    : rule;
}

/**
 * What happens by the deadline: "Answer by 2026-12-20: without an answer
 * the access is removed then."
 * @public
 */
export function describeReclaimDeadline(
  ask: Pick<AppAccessReclaimAsk, 'deadlineAt'>,
): string {
  return `Answer by ${day(
    ask.deadlineAt,
  )}: without an answer the access is removed then.`;
}

/**
 * One line saying how a reclamation question ended (or that it still waits),
 * for the message the holder answered in.
 * @public
 */
export function describeReclaimAnswer(
  what: string,
  question: Pick<ReclaimQuestion, 'status' | 'reason' | 'deadlineAt'>,
): string {
  switch (question.status) {
    case 'asked':
      return `Waiting for your answer about ${what}.`;
    case 'kept':
      return `You keep ${what}${
        question.reason ? `. Your reason: ${question.reason}` : '.'
      }`;
    case 'released':
      return `You gave ${what} back; it is being removed. Thank you.`;
    case 'expired':
      return `No answer came by ${day(
        question.deadlineAt,
      )}: ${what} is being removed.`;
    case 'removed':
      return `${what} was removed.`;
    case 'failed':
      return `Removing ${what} failed; IT has been told.`;
    case 'cancelled':
      return `The question about ${what} was withdrawn; you keep it.`;
    case 'skipped':
    default:
      return `The question about ${what} no longer applies.`;
  }
}
