/** The parts of Okta's JSON objects the sync reads. */
export type OktaUserJson = {
  id: string;
  status?: string;
  lastUpdated?: string;
  profile?: Record<string, unknown> & { login?: string; email?: string };
};

export type OktaGroupJson = {
  id: string;
  type?: string;
  profile?: { name?: string };
};

export type OktaAppJson = {
  id: string;
  name?: string;
  label?: string;
  status?: string;
  _links?: {
    logo?: Array<{ href?: string }>;
    appLinks?: Array<{ href?: string }>;
  };
};

/** An app's group assignment (`/apps/{id}/groups`). */
export type OktaAppGroupJson = { id: string };

/** An app's user assignment (`/apps/{id}/users`); `scope` USER is a direct one. */
export type OktaAppUserJson = { id: string; scope?: string };

export type OktaLogEvent = {
  uuid: string;
  published: string;
  eventType: string;
  actor?: { id?: string; type?: string };
  target?: Array<{ id?: string; type?: string }> | null;
};

/** The id of an event's first target of one of these types. */
export function eventTarget(event: OktaLogEvent, ...types: string[]) {
  return event.target?.find(t => t.type && types.includes(t.type))?.id;
}
