import { Box, LinearProgress, Typography } from '@material-ui/core';
import {
  ReclaimCampaign,
  ReclaimCampaignStatus,
  ReclaimQuestionStatus,
} from '@app-access/plugin-app-access-common';

export const CAMPAIGN_STATUS: Record<ReclaimCampaignStatus, string> = {
  running: 'Running',
  closing: 'Closing: removals under way',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const QUESTION_STATUS: Record<ReclaimQuestionStatus, string> = {
  asked: 'Waiting for an answer',
  kept: 'Kept',
  released: 'Given back',
  expired: 'No answer: being removed',
  removed: 'Removed',
  failed: 'Removal failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped (access ended another way)',
};

/** The counts in the order an admin reads them, with their labels. */
export const COUNT_LABELS: Array<[keyof ReclaimCampaign['counts'], string]> = [
  ['asked', 'Waiting'],
  ['kept', 'Kept'],
  ['released', 'Given back'],
  ['expired', 'No answer'],
  ['removed', 'Removed'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['skipped', 'Skipped'],
];

/** Whether the campaign still changes by itself (questions open or removals under way). */
export function isLive(status: ReclaimCampaignStatus): boolean {
  return status === 'running' || status === 'closing';
}

/** Share of the questions that no longer wait for an answer, 0–100. */
export function answeredShare(c: ReclaimCampaign): number {
  const { total, asked } = c.counts;
  return total === 0 ? 100 : Math.round(((total - asked) * 100) / total);
}

/** "Slack — Member" or "Slack (every tier)". */
export function campaignScope(c: {
  appName: string;
  tierName?: string;
}): string {
  return c.tierName
    ? `${c.appName} — ${c.tierName}`
    : `${c.appName} (every tier)`;
}

/** A bar of the questions answered, with "3 of 5 answered". */
export const CampaignProgress = ({
  campaign,
}: {
  campaign: ReclaimCampaign;
}) => {
  const share = answeredShare(campaign);
  const { total, asked } = campaign.counts;
  return (
    <Box minWidth={160}>
      <LinearProgress
        variant="determinate"
        value={share}
        aria-label={`Progress of the ${campaignScope(campaign)} campaign`}
      />
      <Typography variant="caption" color="textSecondary">
        {total - asked} of {total} answered or closed
      </Typography>
    </Box>
  );
};
