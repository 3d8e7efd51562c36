/**
 * The scaffolder action `app-access:request`: request App Access for a
 * person or each member of a group from a software template.
 *
 * @packageDocumentation
 */
export { scaffolderModuleAppAccess as default } from './module';
export {
  APP_ACCESS_REQUEST_ACTION_ID,
  createAppAccessRequestAction,
} from './actions/appAccessRequest';
export type {
  AppAccessRequestActionInput,
  AppAccessRequestActionOptions,
  AppAccessRequestActionOutput,
} from './actions/appAccessRequest';
