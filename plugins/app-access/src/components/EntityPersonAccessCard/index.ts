export { EntityPersonAccessCard } from './EntityPersonAccessCard';
export type { EntityPersonAccessCardProps } from './EntityPersonAccessCard';
