export { AccessDurationSection } from './AccessDurationSection';
export { BrandingSection } from './BrandingSection';
export { DefaultsSection } from './DefaultsSection';
export { FulfillmentSection } from './FulfillmentSection';
export { NotificationsSection } from './NotificationsSection';
export { OnBehalfSection } from './OnBehalfSection';
export { PeersSection } from './PeersSection';
