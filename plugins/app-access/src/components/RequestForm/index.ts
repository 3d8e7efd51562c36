export { RequestForm } from './RequestForm';
export type { RequestFormProps } from './RequestForm';
