export { EntityName, EntityNames, isPersonOrGroup } from './EntityName';
export type { EntityNameProps, EntityNamesProps } from './EntityName';
