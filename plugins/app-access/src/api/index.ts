export { appAccessApiRef } from './AppAccessApi';
export type {
  AppAccessApi,
  AppSort,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAppsQuery,
} from './AppAccessApi';
export { AppAccessClient } from './AppAccessClient';
