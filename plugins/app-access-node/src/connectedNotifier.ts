import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  AppAccessNotifier,
  ModuleTestContext,
} from './extensions';

/** A channel that is built from the decision API and can test itself. */
export type BuiltNotifier = AppAccessNotifier & {
  selfTest(context?: ModuleTestContext): Promise<ModuleTestResult>;
};

/**
 * A notifier whose channel is built when the plugin connects it, so a
 * module never holds a channel (nor routes that decide) before the core
 * exists. The plugin connects every notifier before it delivers anything;
 * the error below only guards against a caller that skipped the plugin.
 */
export function connectedNotifier(
  id: string,
  build: (decisions: AppAccessDecisionApi) => Promise<BuiltNotifier>,
): BuiltNotifier {
  let channel: BuiltNotifier | undefined;
  const connected = () => {
    if (!channel) {
      throw new Error(`The ${id} notifier was used before it was connected`);
    }
    return channel;
  };
  return {
    id,
    async connect(decisions: AppAccessDecisionApi) {
      if (channel) throw new Error(`The ${id} notifier is already connected`);
      channel = await build(decisions);
    },
    notify: async (message: AppAccessMessage) => connected().notify(message),
    selfTest: async (context?: ModuleTestContext) =>
      connected().selfTest(context),
  };
}
