export {
  EntityName,
  EntityNames,
  isPersonOrGroup,
  personOrGroupRef,
  shortName,
  useEntityDisplayName,
} from './EntityName';
export type { EntityNameProps, EntityNamesProps } from './EntityName';
