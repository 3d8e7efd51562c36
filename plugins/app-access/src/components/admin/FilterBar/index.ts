export { FilterBar, FilterField } from './FilterBar';
export type { FilterBarProps, FilterFieldProps } from './FilterBar';
