import {
  coreServices,
  createBackendModule,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { AuthenticationError, NotFoundError } from '@backstage/errors';
import { stringifyEntityRef, UserEntity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import Router from 'express-promise-router';

/** The header a caller sets to say which example user to sign in as. */
export const DEMO_USER_HEADER = 'x-demo-user';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

/**
 * Demo sign-in for the example portal: a proxy-type auth provider with id
 * `demo` that signs the caller in as whichever example user the
 * `x-demo-user` header names. It exists so that requester, approver and admin
 * can all be tried on one machine, and is refused whenever
 * `auth.environment` or `NODE_ENV` is `production`.
 */
export const demoAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { userName: string }) => ({
    profile: { displayName: result.userName },
  }),
  initialize() {},
  async authenticate({ req }) {
    const raw = req.header(DEMO_USER_HEADER);
    if (!raw) {
      throw new AuthenticationError(
        `Demo sign-in needs the '${DEMO_USER_HEADER}' header naming an example user, e.g. '${DEMO_USER_HEADER}: jane.doe'`,
      );
    }
    const userName = raw.trim();
    if (!USER_NAME.test(userName)) {
      throw new AuthenticationError(
        `'${DEMO_USER_HEADER}' must be a user name such as 'jane.doe'`,
      );
    }
    return { result: { userName } };
  },
});

/**
 * What says this backend runs in production, if anything. Either one is
 * enough: a deployment that sets NODE_ENV but forgets `auth.environment`
 * (it defaults to development) must not hand out sign-ins by header.
 */
function productionSignal(config: RootConfigService): string | undefined {
  if (config.getOptionalString('auth.environment') === 'production') {
    return 'auth.environment';
  }
  if (process.env.NODE_ENV === 'production') {
    return 'NODE_ENV';
  }
  return undefined;
}

export const demoAuthProviderModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ providers, config, logger, httpRouter, auth, catalog }) {
        if (!config.has('auth.providers.demo')) {
          return;
        }
        const refusedBy = productionSignal(config);
        if (refusedBy) {
          logger.warn(
            `Demo sign-in is refused because ${refusedBy} is production; the demo provider is not registered`,
          );
          return;
        }
        logger.warn(
          'Demo sign-in is enabled: anyone who can reach this backend can sign in as any catalog user. Never enable it in production.',
        );
        // The sign-in picker needs the example users before anyone is signed
        // in, so this list is served unauthenticated (the auth plugin already
        // allows unauthenticated calls on all of its routes).
        const router = Router();
        router.get('/demo-users', async (_req, res) => {
          const { items } = await catalog.getEntities(
            {
              filter: { kind: 'User' },
              fields: [
                'metadata.name',
                'metadata.description',
                'metadata.annotations',
                'spec.profile',
                'spec.memberOf',
              ],
            },
            { credentials: await auth.getOwnServiceCredentials() },
          );
          const users = (items as UserEntity[])
            .map(user => ({
              name: user.metadata.name,
              displayName:
                user.spec?.profile?.displayName ?? user.metadata.name,
              email: user.spec?.profile?.email,
              title:
                user.metadata.annotations?.['app-access/title'] ??
                user.metadata.description,
              groups: user.spec?.memberOf ?? [],
            }))
            .sort((a, b) => a.name.localeCompare(b.name));
          res.json({ items: users });
        });
        httpRouter.use(router);

        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: demoAuthenticator,
            async signInResolver({ result }, ctx) {
              const userRef = stringifyEntityRef({
                kind: 'User',
                namespace: 'default',
                name: result.userName,
              });
              try {
                return await ctx.signInWithCatalogUser({
                  entityRef: userRef,
                });
              } catch (error) {
                if ((error as Error)?.name === 'NotFoundError') {
                  throw new NotFoundError(
                    `Unknown demo user '${result.userName}': no User entity ${userRef} in the catalog`,
                  );
                }
                throw error;
              }
            },
          }),
        });
      },
    });
  },
});
