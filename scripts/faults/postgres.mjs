// A private PostgreSQL cluster for one fault run: initdb into a temp dir,
// started on a free port of 7550–7559 with trust auth, so the faults can
// restart and stop it without touching the machine's shared server. When it
// cannot be started the run fails (no silent fallback to the shared server).
import { execFile, execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PORTS = [7550, 7551, 7552, 7553, 7554, 7555, 7556, 7557, 7558, 7559];

/** The newest PostgreSQL server binaries on this machine (or FAULTS_PG_BIN). */
function binDir() {
  if (process.env.FAULTS_PG_BIN) return process.env.FAULTS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(v => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

async function portFree(port) {
  const server = createServer();
  return new Promise(resolve => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export class PrivateCluster {
  /**
   * initdb and start. Throws with a message saying what is missing when the
   * binaries are not there or the server does not come up.
   */
  static async start({ log }) {
    const bin = binDir();
    if (!bin || !existsSync(join(bin, 'pg_ctl')))
      throw new Error(
        'cannot start the private PostgreSQL cluster the fault suite restarts: no initdb / pg_ctl under /usr/lib/postgresql/*/bin ' +
          '(install the PostgreSQL server package, or set FAULTS_PG_BIN to its bin directory)',
      );
    let port;
    for (const p of PORTS) {
      if (await portFree(p)) {
        port = p;
        break;
      }
    }
    if (!port)
      throw new Error(
        `cannot start the private PostgreSQL cluster: ports ${
          PORTS[0]
        }–${PORTS.at(-1)} are all taken`,
      );
    const cluster = new PrivateCluster(bin, port, log);
    await cluster.init();
    return cluster;
  }

  constructor(bin, port, log) {
    this.bin = bin;
    this.port = port;
    this.log = log;
    this.dir = mkdtempSync(join(tmpdir(), 'faults-pg-'));
    this.data = join(this.dir, 'data');
    this.logFile = join(this.dir, 'postgres.log');
    // initdb and postgres refuse to run as root: run them as `postgres`.
    this.asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (this.asUser) {
      const { uid, gid } = userIds(this.asUser);
      chownSync(this.dir, uid, gid);
    }
    /** Intervals [from, to] during which the server was down or restarting. */
    this.outages = [];
  }

  async exec(tool, args) {
    const file = join(this.bin, tool);
    const [cmd, argv] = this.asUser
      ? ['runuser', ['-u', this.asUser, '--', file, ...args]]
      : [file, args];
    try {
      return await run(cmd, argv, { timeout: 120_000, killSignal: 'SIGKILL' });
    } catch (e) {
      throw new Error(
        `${tool} ${args.join(' ')} failed: ${
          e.stderr || e.message
        } (server log: ${this.logFile})`,
      );
    }
  }

  async init() {
    await this.exec('initdb', [
      '-D',
      this.data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    this.serverOptions = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c max_connections=400',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await this.startServer();
    this.log(`private PostgreSQL on 127.0.0.1:${this.port} (${this.data})`);
  }

  startServer() {
    return this.exec('pg_ctl', [
      'start',
      '-w',
      '-D',
      this.data,
      '-l',
      this.logFile,
      '-o',
      this.serverOptions,
    ]);
  }

  get connection() {
    return { host: '127.0.0.1', port: this.port, user: 'postgres' };
  }

  /**
   * True when the server was down or restarting at some moment between
   * `from` and `to` (a call that overlapped an outage may rightly fail).
   */
  overlaps(from, to) {
    return this.outages.some(o => from <= (o.to ?? Infinity) && to >= o.from);
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server comes back. */
  async restart() {
    const outage = { from: Date.now() };
    this.outages.push(outage);
    try {
      // `-l`: else the new server writes to pg_ctl's stdout, and the pipe
      // never closes.
      await this.exec('pg_ctl', [
        'restart',
        '-w',
        '-m',
        'fast',
        '-D',
        this.data,
        '-l',
        this.logFile,
      ]);
    } finally {
      outage.to = Date.now();
    }
  }

  /** Stops the server for `seconds`, then starts it again. */
  async stopFor(seconds) {
    const outage = { from: Date.now() };
    this.outages.push(outage);
    try {
      await this.exec('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', this.data]);
      await new Promise(r => setTimeout(r, seconds * 1000));
      await this.startServer();
    } finally {
      outage.to = Date.now();
    }
  }

  async stop({ keep = false } = {}) {
    try {
      await this.exec('pg_ctl', [
        'stop',
        '-w',
        '-m',
        'immediate',
        '-D',
        this.data,
      ]);
    } catch {
      /* already down */
    }
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

function userIds(name) {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}
