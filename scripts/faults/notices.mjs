// Notices, checked from the fakes' side: every notify job the outbox holds
// was delivered (email: exactly the Message-ID the job's key makes, once or
// repeated with that same Message-ID, which mail systems drop; Teams: one card
// per notice, a second only where a connection was cut under a post; Slack:
// the approval DM), or rightly skipped (an approval notice for a task decided
// before it ran). And the lag from the transition that queued the notice to
// its arrival at the fake.
import { createHash } from 'node:crypto';

/** Stamps every mail the SMTP fake accepts with the time it arrived. */
export function stampMailArrivals(smtp) {
  const { messages } = smtp;
  const push = messages.push.bind(messages);
  messages.push = (...mails) => {
    for (const mail of mails) mail.receivedAt ??= Date.now();
    return push(...mails);
  };
}

/** The Message-ID hash the email notifier derives from a job's key and a recipient. */
function messageIdHash(idempotencyKey, ref) {
  return createHash('sha256')
    .update(`${idempotencyKey}\n${ref}`)
    .digest('hex')
    .slice(0, 32);
}

function teamsClass(kind) {
  if (kind === 'approval_needed' || kind === 'reminder') return 'approval';
  if (kind === 'decision_recorded') return 'decision';
  return 'status';
}

/** What a Teams card is about: its request (from the request link) and its kind. */
function teamsCardSubject(card) {
  const text = JSON.stringify(card ?? {});
  const requestId = /\/apps\/requests\/([0-9a-f-]{36})/.exec(text)?.[1];
  const title = card?.body?.[0]?.text ?? '';
  const cls = /^(Approval needed|Reminder \d+):/.test(title)
    ? 'approval'
    : /^(Approved: level \d+|Denied:) /.test(title)
    ? 'decision'
    : 'status';
  return { requestId, cls };
}

export function percentile(values, p) {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

/**
 * jobs: the outbox's notify rows ({ id, idempotency_key, payload, status,
 * created_at }); details: [{ tracked, request }]; cuts: times a gate cut the
 * Teams connections or a replica was killed or stopped (a post in flight may
 * have arrived with its answer or its record lost).
 */
export function checkNotices({ jobs, details, vendors, teamsCuts }) {
  const breaches = [];
  const lags = { email: [], msteams: [], slack: [] };
  const counts = { jobs: 0, delivered: 0, skipped: 0, dedupedRepeats: 0 };
  const tracked = new Map(details.map(d => [d.tracked.id, d]));
  const taskOf = (requestId, taskId) =>
    tracked.get(requestId)?.request.approvals?.find(t => t.id === taskId);
  // A decided task's approval notice may rightly have been skipped.
  const skippable = p =>
    (p.kind === 'approval_needed' || p.kind === 'reminder') &&
    p.taskId &&
    taskOf(p.requestId, p.taskId)?.status !== 'open';

  const mailsByHash = new Map();
  for (const mail of vendors.smtp.messages) {
    const hash = /app-access-([0-9a-f]{32})@/.exec(
      mail.parsed.messageId ?? '',
    )?.[1];
    if (hash) mailsByHash.set(hash, [...(mailsByHash.get(hash) ?? []), mail]);
  }
  const teamsJobs = new Map();

  for (const job of jobs) {
    const p =
      typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload;
    if (!tracked.has(p.requestId)) continue;
    counts.jobs += 1;
    const created = Date.parse(job.created_at);
    const what = `${p.channel} ${p.kind} notice to ${p.audience} of ${p.requestId} (job ${job.id})`;
    if (job.status !== 'done') {
      breaches.push(`${what} ended ${job.status}`);
      continue;
    }
    if (p.channel === 'email') {
      for (const ref of p.recipients.filter(r => r.startsWith('user:'))) {
        const mails =
          mailsByHash.get(messageIdHash(job.idempotency_key, ref)) ?? [];
        if (!mails.length) {
          if (skippable(p)) counts.skipped += 1;
          else breaches.push(`${what}: no mail reached ${ref}`);
          continue;
        }
        counts.delivered += 1;
        counts.dedupedRepeats += mails.length - 1;
        lags.email.push(Math.min(...mails.map(m => m.receivedAt)) - created);
      }
    } else if (p.channel === 'msteams') {
      // A decision reaches the requester and the approvers in the same
      // channel: the notifier posts it once, for the approvers.
      if (p.kind === 'decision_recorded' && p.audience !== 'approvers')
        continue;
      // The channel webhook posts nothing about one person's access ending
      // (ending soon, removed): the holder hears it in person, not the channel.
      if (p.kind === 'access_changed') {
        counts.skipped += 1;
        continue;
      }
      const key = `${p.requestId} ${teamsClass(p.kind)}`;
      teamsJobs.set(key, [...(teamsJobs.get(key) ?? []), { p, created, what }]);
    } else if (p.channel === 'slack' && p.kind === 'approval_needed') {
      const post = vendors.slack
        .callsTo('chat.postMessage')
        .find(
          c => c.response?.ok && JSON.stringify(c.args).includes(p.requestId),
        );
      if (post) {
        counts.delivered += 1;
        lags.slack.push(post.at - created);
      } else if (skippable(p)) counts.skipped += 1;
      else breaches.push(`${what}: no Slack DM`);
    }
  }

  const cards = new Map();
  for (const post of vendors.teams.posts.filter(x => x.status === 202)) {
    const { requestId, cls } = teamsCardSubject(post.card);
    if (!requestId) continue;
    const key = `${requestId} ${cls}`;
    cards.set(key, [...(cards.get(key) ?? []), post]);
  }
  for (const [key, wanted] of teamsJobs) {
    const got = [...(cards.get(key) ?? [])].sort((a, b) => a.at - b.at);
    const needed = wanted.filter(w => !skippable(w.p));
    wanted.sort((a, b) => a.created - b.created);
    if (got.length < needed.length)
      breaches.push(
        `msteams: ${got.length} card(s) for ${needed.length} ${key
          .split(' ')
          .pop()} notice(s) of ${key.split(' ')[0]}`,
      );
    const extra = got.length - wanted.length;
    if (extra > 0) {
      // At least once, not deduplicated: a repeat is only explained by a
      // post whose answer or record was lost: the connection cut, or the
      // replica killed or stopped, within 30 s after the copy arrived.
      const explained = got.some(c =>
        teamsCuts.some(t => t >= c.at && t - c.at < 30_000),
      );
      if (explained) counts.dedupedRepeats += extra;
      else
        breaches.push(
          `msteams: ${got.length} cards for ${wanted.length} ${key
            .split(' ')
            .pop()} notice(s) of ${
            key.split(' ')[0]
          }, no cut connection to explain it`,
        );
    }
    counts.delivered += Math.min(got.length, wanted.length);
    counts.skipped += Math.max(0, wanted.length - got.length);
    wanted.slice(0, got.length).forEach((w, i) => {
      lags.msteams.push(got[i].at - w.created);
    });
  }
  return { breaches, lags, counts };
}
