export { LimitedTextField } from './LimitedTextField';
export type { LimitedTextFieldProps } from './LimitedTextField';
