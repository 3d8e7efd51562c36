// What the tests import: the fixtures, the fake backend and the render helper.
export {
  JANE,
  SAM,
  apps,
  figma,
  github,
  jira,
  miro,
  notion,
  onePassword,
  recommendations,
  slack,
} from './catalogApps';
export { githubPeers, slackPeers } from './peers';
export {
  adminRequests,
  awaitingRequest,
  failedRequest,
  fulfilledRequest,
  intakeRequest,
  myRequests,
  noApprovalPreview,
  pendingApprovals,
  pendingRequest,
  twoLevelPreview,
} from './requests';
export { settingsResponse } from './settings';
export { adminApps, loom, lucidchart, oktaApps, oktaGroups } from './adminApps';
export {
  auditEvents,
  catalogSync,
  deadJobs,
  oktaSync,
  syncOverview,
} from './operations';
export { SLACK_SEAT_EUR, campaignFakes, slackMatches } from './campaigns';
export { responseError } from './responseError';
export { createFakeApi, myGrants, removals } from './createFakeApi';
export type { FakeAppAccessApi } from './createFakeApi';
export {
  batchingEntityPresentationApi,
  fakeEntityPresentationApi,
} from './entityPresentation';
export { fakePermissionApi } from './fakePermissionApi';
export { renderInPlugin } from './renderInPlugin';
export type { RenderOptions } from './renderInPlugin';
