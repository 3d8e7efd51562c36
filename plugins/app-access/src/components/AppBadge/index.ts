export { AppBadge } from './AppBadge';
