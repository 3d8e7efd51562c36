export { AuditPage, auditQuery, EVENT_LABELS } from './AuditPage';
export type { AuditFilters } from './AuditPage';
