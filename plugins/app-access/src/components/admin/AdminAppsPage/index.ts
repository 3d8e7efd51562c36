export { AdminAppsPage } from './AdminAppsPage';
export {
  DiscoveredInOkta,
  draftFromOkta,
  knownOktaAppIds,
} from './DiscoveredInOkta';
export type { DiscoveredInOktaProps } from './DiscoveredInOkta';
