import { Readable } from 'node:stream';
import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import type {
  IndexedApp,
  IndexedAppPage,
} from '@app-access/plugin-app-access-common';

/** The document type App Access's apps are indexed under. */
export const APP_ACCESS_DOCUMENT_TYPE = 'app-access';

/**
 * A listed app as Backstage search holds it: the result's title is the app's
 * name, its location the app's page in App Access (where access is
 * requested), and the text what someone might type to find it.
 *
 * @public
 */
export type AppAccessDocument = IndexableDocument & {
  appId: string;
  vendor?: string;
  category: string;
  /** The tiers' names, in order (Viewer, Editor, ...). */
  tiers: string[];
};

export type AppAccessCollatorFactoryOptions = {
  discovery: DiscoveryService;
  auth: AuthService;
  logger?: LoggerService;
  /** Where the App Access page is mounted in the portal; default `/apps`. */
  appAccessPath?: string;
  /** Apps read per call to App Access; default 100. */
  pageSize?: number;
};

/**
 * Reads every listed app from the App Access backend (GET /index/apps, a
 * service token) and hands them to the search index as documents. Unlisted
 * apps never leave App Access: the route does not return them.
 *
 * @public
 */
export class AppAccessCollatorFactory implements DocumentCollatorFactory {
  readonly type = APP_ACCESS_DOCUMENT_TYPE;

  static fromConfig(
    config: Config,
    options: Omit<AppAccessCollatorFactoryOptions, 'appAccessPath'>,
  ): AppAccessCollatorFactory {
    return new AppAccessCollatorFactory({
      ...options,
      appAccessPath: config.getOptionalString(
        'search.collators.appAccess.appAccessPath',
      ),
    });
  }

  constructor(private readonly options: AppAccessCollatorFactoryOptions) {}

  async getCollator(): Promise<Readable> {
    return Readable.from(this.documents());
  }

  /** One app as a document. */
  toDocument(app: IndexedApp): AppAccessDocument {
    const path = (this.options.appAccessPath ?? '/apps').replace(/\/+$/, '');
    const tiers = app.tiers.map(t => t.name);
    return {
      title: app.name,
      location: `${path}/${encodeURIComponent(app.id)}`,
      text: [
        app.description,
        app.vendor && `Vendor: ${app.vendor}`,
        `Category: ${app.category}`,
        tiers.length > 0 && `Tiers: ${tiers.join(', ')}`,
        ...app.tiers.map(t => t.description),
      ]
        .filter(Boolean)
        .join('\n'),
      appId: app.id,
      vendor: app.vendor,
      category: app.category,
      tiers,
    };
  }

  private async *documents(): AsyncGenerator<AppAccessDocument> {
    const { discovery, auth } = this.options;
    const baseUrl = await discovery.getBaseUrl('app-access');
    let cursor: string | undefined;
    let count = 0;
    do {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'app-access',
      });
      const query = new URLSearchParams({
        limit: String(this.options.pageSize ?? 100),
      });
      if (cursor) query.set('cursor', cursor);
      const response = await fetch(`${baseUrl}/index/apps?${query}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const page = (await response.json()) as IndexedAppPage;
      for (const app of page.items) {
        count++;
        yield this.toDocument(app);
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.options.logger?.info(`Indexed ${count} App Access apps`);
  }
}
