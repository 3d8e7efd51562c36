/**
 * The topic of Backstage's events service on which the App Access backend
 * publishes each admin save of an app (created, updated, listed, unlisted).
 * The App Access search collator subscribes to refresh the index at once.
 *
 * @public
 */
export const APP_ACCESS_APPS_CHANGED_TOPIC = 'app-access.apps.changed';

/**
 * The payload of an {@link APP_ACCESS_APPS_CHANGED_TOPIC} event.
 *
 * @public
 */
export type AppAccessAppsChangedEvent = {
  /** The app's id. */
  appId: string;
  /** What the save did to the app. */
  change: 'created' | 'updated' | 'listed' | 'unlisted';
  /** Whether the app is listed (and so searchable) after the save. */
  listed: boolean;
};
