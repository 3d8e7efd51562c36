// The faults and their schedule. Each fault is { at (seconds after the first
// request), name, run() } and returns when it is over (a window closed, a
// replica back up), so the runner can report how long each one lasted.
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Every call to a fake waits `ms` first (slow, or hanging past the client's timeout). */
function delayAll(fake, ms) {
  const original = Object.getPrototypeOf(fake).prepare;
  fake.prepare = async function delayed(request) {
    await sleep(ms);
    return original?.call(this, request);
  };
  return () => {
    delete fake.prepare;
  };
}

/** A vendor failure for a window of `seconds`: every matching call fails meanwhile. */
async function window(fake, seconds, failure, options) {
  fake.failNext(1_000_000, failure, options);
  await sleep(seconds * 1000);
  fake.clearFailures();
}

/**
 * Runs `fn` once the replica's earlier fault is over (it is back up), so a
 * kill never lands on a replica that is still starting from the last one.
 */
function exclusive(replica, fn) {
  const run = (replica.faultDone ?? Promise.resolve())
    .then(() => othersUp(replica))
    .then(fn);
  replica.faultDone = run.catch(() => {});
  return run;
}

/**
 * Waits (up to 5 minutes) until every other replica is up, so a kill or
 * SIGTERM never takes down the last replica serving: the suite checks that
 * a replica that is up rides through faults, which needs one to be up.
 */
async function othersUp(replica) {
  const started = Date.now();
  while (
    replica.peers.some(r => r !== replica && !r.up) &&
    Date.now() - started < 300_000
  )
    await sleep(500);
}

function restartAfter(replica, downMs, waitHealthy) {
  return async () => {
    await sleep(downMs);
    replica.start();
    await waitHealthy(replica);
  };
}

export function schedule({
  profile,
  replicas,
  vendors,
  cluster,
  ticketing,
  waitHealthy,
}) {
  const [first, second] = replicas;
  for (const replica of replicas) replica.peers = replicas;
  const gates = vendors.gates;
  const { okta, slack, teams, smtp } = vendors;
  // The ticket faults hit the ticketing system in use (email: the SMTP server).
  const desk = ticketing === 'email' ? undefined : vendors[ticketing];
  const approverMail = 'sam.manager@acme.example';
  const faults = [
    {
      // Early, while both replicas are up and requests are coming in (the
      // replicas' own restarts below keep one of them down for a while).
      at: 4,
      name: 'postgres restart (pg_ctl restart -m fast)',
      run: () => cluster.restart(),
    },
    {
      at: 6,
      name: 'okta answers 429 with Retry-After: 2 for 8s',
      run: () => window(okta, 8, { status: 429, retryAfterSeconds: 2 }),
    },
    {
      at: 10,
      name: 'kill -9 replica-1 mid-work, restart after 2s',
      run: () =>
        exclusive(first, async () => {
          await first.kill();
          await restartAfter(first, 2000, waitHealthy)();
        }),
    },
    {
      at: 14,
      name: `${ticketing} down for 10s`,
      run: async () => {
        if (desk) await window(desk, 10, 503);
        else {
          smtp.deferTemporarily('helpdesk@acme.example');
          await sleep(10_000);
          smtp.accept('helpdesk@acme.example');
        }
      },
    },
    {
      at: 16,
      name: 'slack down (500) for 6s',
      run: () => window(slack, 6, 500),
    },
    {
      at: 18,
      name: 'okta loses the answer of 3 membership PUTs after committing',
      run: async () => {
        okta.failNext(3, { drop: 'after' }, { method: 'PUT' });
        await sleep(1000);
      },
    },
    {
      at: 20,
      name: `${
        desk ? ticketing : 'jira (idle)'
      } loses the answer of 2 creates after committing`,
      run: async () => {
        (desk ?? vendors.jira).dropNextCreate(2);
        await sleep(1000);
      },
    },
    {
      at: 22,
      name: "smtp defers the approver's mail (451) for 8s",
      run: async () => {
        smtp.deferTemporarily(approverMail);
        await sleep(8000);
        smtp.accept(approverMail);
      },
    },
    {
      at: 26,
      name: 'SIGTERM replica-2 mid-work, restart after 2s',
      run: () =>
        exclusive(second, async () => {
          const { ms, forced } = await second.terminate();
          if (forced) throw new Error(`replica-2 ignored SIGTERM for ${ms} ms`);
          await restartAfter(second, 2000, waitHealthy)();
        }),
    },
    {
      at: 28,
      name: 'teams answers 429 with Retry-After: 1 for 6s',
      run: () => window(teams, 6, { status: 429, retryAfterSeconds: 1 }),
    },
    {
      at: 32,
      name: 'okta slow (1.5s a call) for 8s',
      run: async () => {
        const undo = delayAll(okta, 1500);
        await sleep(8000);
        undo();
      },
    },
    {
      at: 42,
      name: `${
        desk ? ticketing : 'jira (idle)'
      } hangs past its 5s timeout for 12s`,
      run: async () => {
        const undo = delayAll(desk ?? vendors.jira, 7000);
        await sleep(12_000);
        undo();
      },
    },
    {
      at: 46,
      name: 'okta down (503) for 6s',
      run: () => window(okta, 6, 503),
    },

    {
      at: 36,
      name: 'teams refuses connections for 8s',
      run: async () => {
        await gates.teams.refuse();
        await sleep(8000);
        await gates.teams.open();
      },
    },
    {
      at: 38,
      name: 'smtp refuses connections for 8s',
      run: async () => {
        await gates.smtp.refuse();
        await sleep(8000);
        await gates.smtp.open();
      },
    },
    {
      at: 50,
      name: 'teams down (503) for 6s',
      run: () => window(teams, 6, 503),
    },
  ];
  if (profile === 'full') {
    faults.push(
      {
        at: 60,
        name: 'kill -9 replica-2, restart after 5s',
        run: () =>
          exclusive(second, async () => {
            await second.kill();
            await restartAfter(second, 5000, waitHealthy)();
          }),
      },
      {
        at: 75,
        name: 'SIGTERM replica-1, restart after 1s',
        run: () =>
          exclusive(first, async () => {
            await first.terminate();
            await restartAfter(first, 1000, waitHealthy)();
          }),
      },
      {
        at: 90,
        name: 'okta hangs past its 5s timeout for 15s',
        run: async () => {
          const undo = delayAll(okta, 7000);
          await sleep(15_000);
          undo();
        },
      },
      {
        at: 110,
        name: 'slack rate-limited (429, Retry-After: 3) for 10s',
        run: () => window(slack, 10, { status: 429, retryAfterSeconds: 3 }),
      },
      {
        at: 165,
        name: 'postgres stopped for 10s, then started',
        run: () => cluster.stopFor(10),
      },
      {
        at: 125,
        name: 'smtp answers 421 to every connection for 10s',
        run: async () => {
          gates.smtp.smtp421();
          await sleep(10_000);
          await gates.smtp.open();
        },
      },
      {
        at: 130,
        name: 'teams refuses connections for 15s',
        run: async () => {
          await gates.teams.refuse();
          await sleep(15_000);
          await gates.teams.open();
        },
      },
      {
        at: 190,
        name: 'postgres restart (pg_ctl restart -m fast)',
        run: () => cluster.restart(),
      },
    );
  }
  return faults;
}
