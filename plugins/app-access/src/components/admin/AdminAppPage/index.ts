export { AdminAppPage } from './AdminAppPage';
