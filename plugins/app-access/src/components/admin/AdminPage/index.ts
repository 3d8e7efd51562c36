export {
  ADMIN_SECTIONS,
  AppAccessAdminRouter,
  AppAccessAdminStandalonePage,
} from './AdminPage';
export type { AppAccessAdminRouterProps } from './AdminPage';
