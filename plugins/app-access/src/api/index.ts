export { appAccessApiRef } from './AppAccessApi';
export type {
  AppAccessApi,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAppsQuery,
} from './AppAccessApi';
export { AppAccessClient } from './AppAccessClient';
