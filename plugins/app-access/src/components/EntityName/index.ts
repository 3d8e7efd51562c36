export {
  EntityName,
  EntityNames,
  isPersonOrGroup,
  personOrGroupRef,
  shortName,
  useEntityDisplayName,
  useEntityNameMatcher,
} from './EntityName';
export type { EntityNameProps, EntityNamesProps } from './EntityName';
