export { AdminRequestPage } from './AdminRequestPage';
