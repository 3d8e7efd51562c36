import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { SettingsResponse } from '@app-access/plugin-app-access-common';
import { AppAccessApi, appAccessApiRef } from '../../../api';

/** Whether the settings report an Okta fulfiller (or the Okta integration) installed. */
export function hasOktaModule(settings: SettingsResponse): boolean {
  const fulfillers = settings.modules?.fulfillers ?? [];
  return (
    fulfillers.includes('okta-group') ||
    fulfillers.includes('okta-app') ||
    Boolean(settings.integrations?.okta?.installed)
  );
}

// One settings read per API client, however many Okta pickers an editor
// shows; modules cannot be installed while the app runs.
const answers = new WeakMap<AppAccessApi, Promise<boolean | undefined>>();

function askOnce(api: AppAccessApi): Promise<boolean | undefined> {
  let answer = answers.get(api);
  if (!answer) {
    answer = api.getSettings().then(hasOktaModule, () => {
      // Not allowed to read settings, or a blip: unknown, and asked again next time.
      answers.delete(api);
      return undefined;
    });
    answers.set(api, answer);
  }
  return answer;
}

/**
 * Whether the Okta module is installed, so its routes are only called when
 * they exist (each 404 is an error in the browser console). `installed` is
 * undefined while loading and when the settings cannot be read; callers then
 * ask Okta and take a 404 as "not installed".
 */
export function useOktaModule(): { loading: boolean; installed?: boolean } {
  const api = useApi(appAccessApiRef);
  const { loading, value } = useAsync(() => askOnce(api), [api]);
  return { loading, installed: value };
}
