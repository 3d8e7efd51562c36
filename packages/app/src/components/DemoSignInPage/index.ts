export { DemoSignInPage, DEMO_USER_STORAGE_KEY } from './DemoSignInPage';
