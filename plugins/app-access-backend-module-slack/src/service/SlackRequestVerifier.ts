import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '@backstage/errors';
import { SeenSignatureStore } from '../database/SeenSignatureStore';

/** Slack's advice: refuse requests signed more than five minutes ago. */
const TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Checks that a request really comes from Slack: `X-Slack-Signature` is
 * `v0=` + hex HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`), the
 * timestamp is recent, and the same signature was not seen before.
 */
export class SlackRequestVerifier {
  constructor(
    private readonly signingSecret: string,
    private readonly seen: SeenSignatureStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws AuthenticationError (401) unless the request is genuine and fresh. */
  async verify(request: {
    signature?: string;
    timestamp?: string;
    rawBody: Buffer;
  }): Promise<void> {
    const { signature, timestamp, rawBody } = request;
    if (!signature || !timestamp) {
      throw new AuthenticationError(
        'Missing X-Slack-Signature or X-Slack-Request-Timestamp',
      );
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw new AuthenticationError('Malformed X-Slack-Request-Timestamp');
    }
    const signedAt = Number(timestamp) * 1000;
    const now = this.now();
    if (Math.abs(now - signedAt) > TOLERANCE_MS) {
      throw new AuthenticationError(
        'Stale Slack request: signed more than 5 minutes ago',
      );
    }
    const expected = Buffer.from(
      `v0=${createHmac('sha256', this.signingSecret)
        .update(`v0:${timestamp}:`)
        .update(rawBody)
        .digest('hex')}`,
      'utf8',
    );
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AuthenticationError('Invalid Slack signature');
    }
    // Only genuine signatures are remembered, and only while they are fresh.
    if (!(await this.seen.remember(signature, signedAt + TOLERANCE_MS, now))) {
      throw new AuthenticationError('Replayed Slack request');
    }
  }
}
