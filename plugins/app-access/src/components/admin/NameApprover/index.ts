export { NameApprover, levelAwaitingAdmin } from './NameApprover';
