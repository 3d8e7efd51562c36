export {
  EntityRefPicker,
  EntityRefsPicker,
  useEntityOptions,
} from './EntityRefPicker';
export type {
  EntityKind,
  EntityRefPickerProps,
  EntityRefsPickerProps,
} from './EntityRefPicker';
