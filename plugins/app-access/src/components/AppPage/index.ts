export { AppPage } from './AppPage';
