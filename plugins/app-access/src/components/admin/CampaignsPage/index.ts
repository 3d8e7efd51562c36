export { CampaignsPage } from './CampaignsPage';
export { NewCampaignPage } from './NewCampaignPage';
export { CampaignPage } from './CampaignPage';
