import express from 'express';
import { JsonObject } from '@backstage/types';
import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { TypedRouter } from '@backstage/backend-openapi-utils';
import { decodeCursor } from '../../database/json';
import { EndpointMap } from '../../schema/openapi/generated';

/** The router every endpoint file binds its routes on. */
export type AppAccessRouter = TypedRouter<EndpointMap>;

/** HTTP concerns the endpoint files share: auditing mutations and permission checks. */
export type EndpointContext = {
  /** Runs a mutation inside a Backstage auditor event. */
  audited<T>(
    req: express.Request<any, any, any, any>,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Whether the caller holds a permission (for routes whose answer depends on it). */
  isAllowed(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ): Promise<boolean>;
};

export function createEndpointContext(options: {
  auditor: AuditorService;
  permissions: PermissionsService;
}): EndpointContext {
  return {
    async audited(req, eventId, meta, fn) {
      const event = await options.auditor.createEvent({
        eventId,
        request: req,
        severityLevel: 'medium',
        meta,
      });
      try {
        const result = await fn();
        await event.success();
        return result;
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
    async isAllowed(credentials, permission) {
      const [decision] = await options.permissions.authorize([{ permission }], {
        credentials,
      });
      return decision.result === AuthorizeResult.ALLOW;
    },
  };
}

/**
 * Every list's cursor is one it handed out; anything else is refused rather
 * than silently read as "from the start", which would make a client that
 * pages with a damaged cursor loop over the first page.
 */
export function cursorParam(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && decodeCursor(cursor) === undefined) {
    throw new InputError('cursor: not a cursor this list returned');
  }
  return cursor;
}
