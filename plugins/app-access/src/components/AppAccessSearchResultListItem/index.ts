export {
  APP_ACCESS_SEARCH_TYPE,
  AppAccessSearchResultListItem,
} from './AppAccessSearchResultListItem';
export type { AppAccessSearchResultListItemProps } from './AppAccessSearchResultListItem';
