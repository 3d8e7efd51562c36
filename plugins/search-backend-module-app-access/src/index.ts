/**
 * Backstage search collator for App Access: the listed apps of the catalog
 * (name, vendor, category, description, tiers) as search documents of type
 * `app-access`, each linking to the app's page where access is requested.
 *
 * @packageDocumentation
 */
export { searchModuleAppAccessCollator as default } from './module';
export {
  APP_ACCESS_DOCUMENT_TYPE,
  AppAccessCollatorFactory,
} from './collators/AppAccessCollatorFactory';
export type {
  AppAccessCollatorFactoryOptions,
  AppAccessDocument,
} from './collators/AppAccessCollatorFactory';
