import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';

export const APP_ACCESS_REQUEST_ACTION_ID = 'app-access:request';

export type AppAccessRequestActionOptions = {
  discovery: DiscoveryService;
  auth: AuthService;
  catalog: CatalogService;
  /** The portal's base URL (app.baseUrl), for the links to each request. */
  appBaseUrl: string;
  /** Where App Access is mounted in the portal; default `/apps`. */
  appAccessPath?: string;
};

type Created = { id: string; for: string; status: string; url: string };

/**
 * The input of `app-access:request`.
 *
 * @public
 */
export type AppAccessRequestActionInput = {
  appId: string;
  tierId: string;
  justification?: string | undefined;
  userRef?: string | undefined;
  groupRef?: string | undefined;
};

/**
 * The output of `app-access:request`: one request per grantee.
 *
 * @public
 */
export type AppAccessRequestActionOutput = {
  requestIds: string[];
  requests: { id: string; for: string; status: string; url: string }[];
};

/**
 * `app-access:request`: requests a tier of an App Access app from a
 * template, for the template's user, another user, or each member of a
 * group. Every request goes through App Access's HTTP API with the
 * template user's credentials, so the API's own checks apply (the app is
 * listed, the tier exists, a justification where approval is needed, no
 * duplicate open request, and, for someone else, whether the user may
 * request on their behalf).
 *
 * @public
 */
export function createAppAccessRequestAction(
  options: AppAccessRequestActionOptions,
): TemplateAction<
  AppAccessRequestActionInput,
  AppAccessRequestActionOutput,
  'v2'
> {
  const base = options.appBaseUrl.replace(/\/+$/, '');
  const path = (options.appAccessPath ?? '/apps').replace(/\/+$/, '');

  async function grantees(
    input: { userRef?: string; groupRef?: string },
    initiator: BackstageCredentials,
    initiatorRef: string | undefined,
  ): Promise<string[]> {
    if (input.userRef && input.groupRef) {
      throw new InputError('Give either userRef or groupRef, not both');
    }
    if (input.userRef) {
      return [
        stringifyEntityRef(
          parseEntityRef(input.userRef, {
            defaultKind: 'user',
            defaultNamespace: 'default',
          }),
        ),
      ];
    }
    if (input.groupRef) {
      const groupRef = stringifyEntityRef(
        parseEntityRef(input.groupRef, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      );
      const group = await options.catalog.getEntityByRef(groupRef, {
        credentials: initiator,
      });
      if (!group) {
        throw new InputError(`groupRef: no group '${groupRef}' in the catalog`);
      }
      const { items } = await options.catalog.getEntities(
        {
          filter: { kind: 'User', 'relations.memberOf': groupRef },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials: initiator },
      );
      const members = items.map(e => stringifyEntityRef(e)).sort();
      if (members.length === 0) {
        throw new InputError(`groupRef: '${groupRef}' has no members`);
      }
      return members;
    }
    if (!initiatorRef) {
      throw new InputError(
        'No userRef or groupRef, and the template was not run by a user',
      );
    }
    return [initiatorRef];
  }

  return createTemplateAction({
    id: APP_ACCESS_REQUEST_ACTION_ID,
    description:
      "Requests a tier of an App Access app for the template's user, a user, or each member of a group, through App Access's API as the template's user. Outputs the request ids and a link to each.",
    examples: [
      {
        description: 'Request Figma viewer seats for the new team',
        example: [
          'steps:',
          '  - id: figma',
          '    name: Request Figma',
          '    action: app-access:request',
          '    input:',
          '      appId: figma',
          '      tierId: viewer',
          '      groupRef: ${{ parameters.team }}',
          '      justification: New team onboarding',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        appId: z =>
          z.string().min(1).max(100).describe('The App Access app id'),
        tierId: z => z.string().min(1).max(100).describe('The tier id'),
        justification: z =>
          z
            .string()
            .max(4000)
            .optional()
            .describe('Why; required when the tier needs approval'),
        userRef: z =>
          z
            .string()
            .max(300)
            .optional()
            .describe("Who gets access; default the template's user"),
        groupRef: z =>
          z
            .string()
            .max(300)
            .optional()
            .describe('A group: each of its members gets a request'),
      },
      output: {
        requestIds: z => z.array(z.string()).describe('One per grantee'),
        requests: z =>
          z
            .array(
              z.object({
                id: z.string(),
                for: z.string(),
                status: z.string(),
                url: z.string(),
              }),
            )
            .describe('Each request, for whom, its status and its page'),
      },
    },
    async handler(ctx) {
      const initiator = await ctx.getInitiatorCredentials();
      const initiatorRef =
        initiator.principal && (initiator.principal as any).type === 'user'
          ? ((initiator.principal as any).userEntityRef as string)
          : undefined;
      const forWhom = await grantees(ctx.input, initiator, initiatorRef);
      const apiBase = await options.discovery.getBaseUrl('app-access');

      const created: Created[] = [];
      const failed: string[] = [];
      for (const grantee of forWhom) {
        try {
          const request = await ctx.checkpoint({
            key: `app-access-request:${ctx.input.appId}:${ctx.input.tierId}:${grantee}`,
            fn: async () => {
              const { token } = await options.auth.getPluginRequestToken({
                onBehalfOf: initiator,
                targetPluginId: 'app-access',
              });
              const body = {
                appId: ctx.input.appId,
                tierId: ctx.input.tierId,
                ...(ctx.input.justification
                  ? { justification: ctx.input.justification }
                  : {}),
                // Requests for someone else name them; App Access decides
                // whether the template's user may ask on their behalf.
                ...(grantee !== initiatorRef ? { onBehalfOf: grantee } : {}),
              };
              const response = await fetch(`${apiBase}/requests`, {
                method: 'POST',
                headers: {
                  Authorization: `Bearer ${token}`,
                  'Content-Type': 'application/json',
                },
                body: JSON.stringify(body),
              });
              if (!response.ok) {
                throw await ResponseError.fromResponse(response);
              }
              const json = (await response.json()) as {
                id: string;
                status: string;
              };
              return { id: json.id, status: json.status };
            },
          });
          created.push({
            ...request,
            for: grantee,
            url: `${base}${path}/requests/${encodeURIComponent(request.id)}`,
          });
          ctx.logger.info(
            `Requested ${ctx.input.appId}/${ctx.input.tierId} for ${grantee}: ${request.id} (${request.status})`,
          );
        } catch (error) {
          const message =
            error instanceof ResponseError
              ? error.body.error.message
              : String((error as Error).message ?? error);
          ctx.logger.error(`Could not request for ${grantee}: ${message}`);
          failed.push(`${grantee}: ${message}`);
        }
      }
      ctx.output(
        'requestIds',
        created.map(r => r.id),
      );
      ctx.output('requests', created);
      if (failed.length > 0) {
        throw new Error(
          `App Access refused ${failed.length} of ${
            forWhom.length
          } requests: ${failed.join('; ')}`,
        );
      }
    },
  });
}
