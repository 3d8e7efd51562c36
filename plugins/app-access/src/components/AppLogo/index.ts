export { AppLogo } from './AppLogo';
export type { AppLogoProps } from './AppLogo';
