export { WhyDisabled } from './WhyDisabled';
