/**
 * App Access: the company's app store inside Backstage.
 *
 * @packageDocumentation
 */
export { appAccessPlugin, AppAccessPage } from './plugin';
export { appAccessApiRef, AppAccessClient } from './api';
export type {
  AppAccessApi,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAppsQuery,
} from './api';
