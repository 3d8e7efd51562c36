export { MessageText } from './MessageText';
