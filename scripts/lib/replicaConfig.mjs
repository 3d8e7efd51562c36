// The example backend as several replicas on one PostgreSQL, for the scripts
// that start it that way (the fault suite and the benchmarks): the config
// every replica shares, and one small file per replica with its port.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What every replica shares: PostgreSQL with few connections per plugin (the
 * server is shared with other work), demo sign-in, the example org from
 * `examples/org.yaml` plus `extraLocations`, permissions on, and `appAccess`.
 */
export function sharedReplicaConfig({
  repoRoot,
  connection,
  appAccessPoolMax,
  extraLocations = [],
  appAccess,
}) {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      database: {
        client: 'pg',
        pluginDivisionMode: 'schema',
        connection,
        knexConfig: { pool: { min: 0, max: 3, idleTimeoutMillis: 5000 } },
        plugin: {
          'app-access': {
            knexConfig: {
              pool: { min: 0, max: appAccessPoolMax, idleTimeoutMillis: 5000 },
            },
          },
        },
      },
      cors: { origin: 'http://localhost:3000' },
    },
    auth: { environment: 'development', providers: { demo: {} } },
    catalog: {
      rules: [
        { allow: ['Component', 'System', 'API', 'Resource', 'Location'] },
      ],
      locations: [
        {
          type: 'file',
          target: join(repoRoot, 'examples', 'org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
        ...extraLocations,
      ],
    },
    permission: { enabled: true },
    appAccess,
  };
}

/**
 * Writes the shared config to `dir/baseName` and one file per port; returns
 * each replica's config files (shared first, then its own).
 */
export function writeReplicaConfigs({ dir, baseName, shared, ports }) {
  const baseFile = join(dir, baseName);
  writeFileSync(baseFile, JSON.stringify(shared, null, 2));
  return ports.map((port, index) => {
    const file = join(dir, `app-config.replica-${index + 1}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
        },
      }),
    );
    return [baseFile, file];
  });
}
