export { OktaPicker } from './OktaPicker';
export type { OktaPickerKind, OktaPickerProps } from './OktaPicker';
