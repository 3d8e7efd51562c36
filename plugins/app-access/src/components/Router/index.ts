export { AppAccessRouter } from './Router';
