export { isOnBehalf, RequestParties } from './RequestParties';
