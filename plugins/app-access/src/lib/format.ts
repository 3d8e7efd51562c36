import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

function plural(n: number, unit: string) {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** How long ago something happened, without the "ago": "3 hours". */
export function formatDuration(
  fromIso: string,
  now: number = Date.now(),
): string {
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) {
    return '';
  }
  const minutes = Math.floor(Math.max(0, now - from) / 60_000);
  if (minutes < 1) {
    return 'less than a minute';
  }
  if (minutes < 60) {
    return plural(minutes, 'minute');
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return plural(hours, 'hour');
  }
  const days = Math.floor(hours / 24);
  if (days < 60) {
    return plural(days, 'day');
  }
  return plural(Math.floor(days / 30), 'month');
}

export function formatDateTime(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/**
 * A calendar date (YYYY-MM-DD). Parsed as local midnight: `new Date(s)`
 * would read it as UTC and show the previous day west of Greenwich.
 */
export function formatDay(day: string | undefined): string {
  if (!day) {
    return '';
  }
  const match = day.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!match) {
    return day;
  }
  const date = new Date(+match[1], +match[2] - 1, +match[3]);
  return date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** Today as YYYY-MM-DD in the user's time zone, for date inputs. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(
    now.getDate(),
  )}`;
}

/** "user:default/jane.doe" → "jane.doe"; keeps a non-default namespace. */
export function humanizeRef(ref: string | undefined): string {
  if (!ref) {
    return '';
  }
  try {
    const { namespace, name } = parseEntityRef(ref, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}

/**
 * An owner as a full entity ref, so EntityRefLink links to the right kind
 * and shows a user as "olivia.owner" (or their display name), never as
 * "user:olivia.owner". A bare name is taken to be a group.
 */
export function ownerRef(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return owner;
  }
}

/**
 * People type "excalidraw.com", not "https://excalidraw.com"; the backend
 * wants a full URL, so a bare address gets https:// in front. Whether it is
 * a real address stays the backend's call.
 */
export function toWebsiteUrl(input: string): string {
  const trimmed = input.trim();
  return /^[a-z][a-z\d+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `https://${trimmed}`;
}

/** What admins installed, by the module ids the backend reports. */
const MODULE_LABELS: Record<string, string> = {
  'okta-group': 'Okta group',
  'okta-app': 'Okta app',
  okta: 'Okta',
  jira: 'Jira',
  zendesk: 'Zendesk',
  email: 'Email',
  slack: 'Slack',
  msteams: 'Microsoft Teams',
  manual: 'Manual',
  ticket: 'Ticket',
};

/** `okta-group` → "Okta group"; an unknown module by its id, words split. */
export function moduleLabel(id: string | undefined): string {
  if (!id) {
    return '';
  }
  const known = MODULE_LABELS[id];
  if (known) {
    return known;
  }
  const words = id.replace(/[-_]+/g, ' ');
  return words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
}

/**
 * Module ids inside a sentence: the hyphenated ones anywhere, the rest only
 * where quoted ("the fulfiller 'jira'"), since "email" is also a word.
 */
export function replaceModuleIds(text: string): string {
  return text
    .replace(/(['"`])([a-z][\w-]*)\1/g, (quoted, _q, id: string) =>
      MODULE_LABELS[id] ? MODULE_LABELS[id] : quoted,
    )
    .replace(/\bokta-(group|app)\b/g, id => moduleLabel(id));
}

/**
 * An id short enough for a table cell: a UUID (or any long id) cut to its
 * first 8 characters, which tell rows apart; short ids as they are.
 */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** What a fulfilment reference is, by the module that made it. */
const REFERENCE_LABELS: Record<string, string> = {
  'okta-group': 'Okta group membership',
  'okta-app': 'Okta app assignment',
  jira: 'Jira issue',
  zendesk: 'Zendesk ticket',
  email: 'Email ticket',
  manual: 'IT ticket',
};

/**
 * A request's fulfilment reference in plain words: its label by kind (an
 * Okta group membership is not a ticket) and the text to show. The kind is
 * the module that fulfilled the request, else the reference's own prefix
 * (`okta-group:<group>:<user>`), which is shown as the Okta group or app
 * id, not as the internal reference.
 */
export function fulfilmentReference(request: {
  fulfilledBy?: string;
  externalRef?: string;
  externalUrl?: string;
}): { label: string; text: string } | undefined {
  const { externalRef, externalUrl } = request;
  if (!externalRef && !externalUrl) return undefined;
  const okta = /^(okta-group|okta-app):([^:]+):[^:]+$/.exec(externalRef ?? '');
  const kind = request.fulfilledBy ?? okta?.[1];
  const label = (kind && REFERENCE_LABELS[kind]) ?? 'Reference';
  if (okta) {
    return {
      label,
      text: `${okta[1] === 'okta-app' ? 'Okta app' : 'Okta group'} ${okta[2]}`,
    };
  }
  return { label, text: externalRef ?? externalUrl! };
}
