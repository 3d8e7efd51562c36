export { MyRequestsPage, requestTitle } from './MyRequestsPage';
