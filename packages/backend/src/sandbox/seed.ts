import fs from 'node:fs';
import yaml from 'js-yaml';

/** Someone of the example org, as the vendor sandboxes know them. */
export type SandboxPerson = {
  /** The catalog user name (`jane.doe`). */
  name: string;
  displayName: string;
  email: string;
};

/** An Okta group or app the example catalog's fulfilment points at. */
export type SandboxOktaTarget = {
  id: string;
  /** What the sandbox names it: the app and tier it serves. */
  label: string;
};

export type SandboxSeed = {
  people: SandboxPerson[];
  oktaGroups: Array<SandboxOktaTarget & { oktaAppId?: string }>;
  oktaApps: SandboxOktaTarget[];
};

function documents(file: string): any[] {
  return yaml
    .loadAll(fs.readFileSync(file, 'utf8'))
    .filter(d => d && typeof d === 'object');
}

/** The Users of catalog files (examples/org.yaml) that have an email. */
export function readPeople(files: string[]): SandboxPerson[] {
  const people: SandboxPerson[] = [];
  for (const file of files) {
    for (const doc of documents(file)) {
      const email = doc?.spec?.profile?.email;
      if (doc.kind !== 'User' || typeof email !== 'string') continue;
      people.push({
        name: String(doc.metadata?.name),
        displayName: String(doc.spec.profile.displayName ?? doc.metadata?.name),
        email,
      });
    }
  }
  return people;
}

/**
 * The Okta groups and apps that App Access seed files (examples/apps.yaml)
 * fulfil through, so the sandbox Okta has every one of them.
 */
export function readOktaTargets(
  files: string[],
): Pick<SandboxSeed, 'oktaGroups' | 'oktaApps'> {
  const groups = new Map<string, SandboxOktaTarget & { oktaAppId?: string }>();
  const apps = new Map<string, SandboxOktaTarget>();
  for (const file of files) {
    for (const doc of documents(file)) {
      for (const app of doc.apps ?? []) {
        const appOktaId = app.externalIds?.oktaAppId;
        if (typeof appOktaId === 'string') {
          apps.set(appOktaId, { id: appOktaId, label: String(app.name) });
        }
        for (const tier of app.tiers ?? []) {
          const f = tier.fulfillment ?? {};
          const label = `${app.name} ${tier.name}`;
          if (f.type === 'okta-group' && typeof f.oktaGroupId === 'string') {
            groups.set(f.oktaGroupId, {
              id: f.oktaGroupId,
              label,
              oktaAppId: typeof appOktaId === 'string' ? appOktaId : undefined,
            });
          }
          if (f.type === 'okta-app' && typeof f.oktaAppId === 'string') {
            if (!apps.has(f.oktaAppId)) {
              apps.set(f.oktaAppId, {
                id: f.oktaAppId,
                label: String(app.name),
              });
            }
          }
        }
      }
    }
  }
  return { oktaGroups: [...groups.values()], oktaApps: [...apps.values()] };
}
