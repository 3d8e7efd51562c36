export { MyAccessPage } from './MyAccessPage';
