export { RequestTimeline } from './RequestTimeline';
export type { RequestTimelineProps } from './RequestTimeline';
