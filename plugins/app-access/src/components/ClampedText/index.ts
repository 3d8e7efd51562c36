export { ClampedText } from './ClampedText';
export type { ClampedTextProps } from './ClampedText';
