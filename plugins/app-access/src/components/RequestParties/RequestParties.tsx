import { AccessRequest } from '@app-access/plugin-app-access-common';
import { EntityName } from '../EntityName';

/** Whether someone filed the request for another person. */
export function isOnBehalf(
  request: Pick<AccessRequest, 'requester' | 'grantee'>,
) {
  return Boolean(request.grantee && request.grantee !== request.requester);
}

/**
 * Who a request is for: the requester, or "for Grantee, filed by Requester"
 * when someone filed it on another person's behalf.
 */
export const RequestParties = ({
  request,
}: {
  request: Pick<AccessRequest, 'requester' | 'grantee'>;
}) =>
  isOnBehalf(request) ? (
    <span data-testid="request-parties">
      for <EntityName entityRef={request.grantee!} />, filed by{' '}
      <EntityName entityRef={request.requester} />
    </span>
  ) : (
    <EntityName entityRef={request.requester} />
  );
