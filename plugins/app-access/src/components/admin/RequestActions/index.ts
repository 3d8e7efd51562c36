export { MARKABLE, RequestActions, RETRYABLE } from './RequestActions';
export type { ActionOutcome, RequestActionsProps } from './RequestActions';
