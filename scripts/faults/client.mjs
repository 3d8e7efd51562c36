// The runner's HTTP client for the replicas: spreads calls over the replicas
// that are up, moves on to another on a refused connection, and records every
// 5xx a replica answered while it was up (a breach: a live replica must answer
// or refuse, never fail).
export class ReplicaClient {
  constructor(replicas, { overlapsOutage = () => false } = {}) {
    this.replicas = replicas;
    /** (from, to) → true when the database was down at some point in between. */
    this.overlapsOutage = overlapsOutage;
    /** 5xx answers to calls that overlapped a database outage (allowed). */
    this.outageAnswers = [];
    this.next = 0;
    this.tokens = new Map();
    /** 5xx answers from replicas that were up when asked and when answering. */
    this.serverErrors = [];
    this.calls = 0;
  }

  pick() {
    const up = this.replicas.filter(r => r.up);
    if (!up.length) return undefined;
    this.next = (this.next + 1) % up.length;
    return up[this.next];
  }

  async token(user, replica) {
    const cached = this.tokens.get(user);
    if (cached) return cached;
    const res = await fetch(
      `${replica.url}/api/auth/demo/refresh?env=development`,
      {
        headers: { 'x-demo-user': user },
        signal: AbortSignal.timeout(15_000),
      },
    );
    this.note(replica, res, `demo sign-in as ${user}`, true);
    if (!res.ok) throw new Error(`demo sign-in as ${user}: HTTP ${res.status}`);
    const token = (await res.json()).backstageIdentity.token;
    this.tokens.set(user, token);
    return token;
  }

  note(replica, res, what, wasUp, sentAt = Date.now()) {
    this.calls += 1;
    if (res.status >= 500 && this.overlapsOutage(sentAt, Date.now())) {
      this.outageAnswers.push({ replica: replica.name, status: res.status });
    } else if (res.status >= 500 && wasUp && replica.up) {
      this.serverErrors.push({
        replica: replica.name,
        status: res.status,
        what,
        at: new Date().toISOString(),
      });
    }
  }

  /**
   * Calls the App Access API as `user` on any replica that is up; retries on
   * another when the connection fails (a replica going down), for up to
   * `patienceMs`. Returns { status, body }.
   */
  async api(user, method, path, body, { patienceMs = 300_000 } = {}) {
    const started = Date.now();
    let lastError;
    while (Date.now() - started < patienceMs) {
      const replica = this.pick();
      if (!replica) {
        await new Promise(r => setTimeout(r, 250));
        continue;
      }
      try {
        const res = await this.raw(replica, user, method, path, body);
        // The database was down: the replica said so (503); ask again.
        if (res.outage) {
          lastError = `HTTP ${res.status} during a database outage`;
          await new Promise(r => setTimeout(r, 500));
          continue;
        }
        return res;
      } catch (e) {
        lastError = e;
        await new Promise(r => setTimeout(r, 250));
      }
    }
    throw new Error(
      `${method} ${path} as ${user}: ${lastError ?? 'no replica up'}`,
    );
  }

  async raw(replica, user, method, path, body, headers = {}) {
    const wasUp = replica.up;
    const sentAt = Date.now();
    const token = user ? await this.token(user, replica) : undefined;
    const res = await fetch(`${replica.url}/api/app-access${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && typeof body !== 'string'
          ? { 'Content-Type': 'application/json' }
          : {}),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : typeof body === 'string'
          ? body
          : JSON.stringify(body),
      // Generous: a replica on a busy machine is slow, not down. A call
      // that times out is asked again; a repeated submit or decision finds
      // the first one (409) and the workload treats that as done.
      signal: AbortSignal.timeout(45_000),
    });
    this.note(
      replica,
      res,
      `${method} ${path} as ${user ?? 'nobody'}`,
      wasUp,
      sentAt,
    );
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return {
      status: res.status,
      body: parsed,
      replica: replica.name,
      outage: res.status >= 500 && this.overlapsOutage(sentAt, Date.now()),
    };
  }
}
