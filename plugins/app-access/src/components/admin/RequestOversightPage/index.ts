export { RequestOversightPage } from './RequestOversightPage';
export type { RequestFilters } from './RequestOversightPage';
export { DeadJobs } from './DeadJobs';
export type { DeadJobsProps } from './DeadJobs';
