export { PeerUsageBadges } from './PeerUsageBadges';
export type { PeerUsageBadgesProps } from './PeerUsageBadges';
export { RecommendationsRow } from './RecommendationsRow';
export type { RecommendationsRowProps } from './RecommendationsRow';
export { CategoryRanking } from './CategoryRanking';
export type { CategoryRankingProps } from './CategoryRanking';
export { WhoUsesIt } from './WhoUsesIt';
