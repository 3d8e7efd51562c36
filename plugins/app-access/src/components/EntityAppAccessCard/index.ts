export { EntityAppAccessCard } from './EntityAppAccessCard';
export type { EntityAppAccessCardProps } from './EntityAppAccessCard';
