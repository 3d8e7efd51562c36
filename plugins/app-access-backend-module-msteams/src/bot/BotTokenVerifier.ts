import { AuthenticationError } from '@backstage/errors';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

/** Claims of a verified Bot Framework channel token that the bot uses. */
export type VerifiedChannelToken = {
  /** The service URL Teams put in the token; activities must carry the same. */
  serviceUrl: string;
};

type Metadata = { issuer?: string; jwks_uri?: string };

/**
 * Verifies the bearer token on every activity Teams sends to the bot
 * (Bot Framework "channel to bot" authentication): RS256 signature with a
 * key published in the Bot Framework JWKS, issuer, audience = the bot's app
 * id, not expired (5 minutes' clock skew), and a serviceUrl claim. The
 * activity's own serviceUrl is checked against that claim once the body is
 * parsed ({@link checkServiceUrl}), so a forged activity cannot make the bot
 * send its token to another host.
 */
export class BotTokenVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private jwksLoadedAt = 0;

  constructor(
    private readonly options: {
      appId: string;
      issuer: string;
      openIdMetadataUrl: string;
      /** Epoch ms; injectable for tests. */
      now?: () => number;
    },
  ) {}

  async verify(
    authorization: string | undefined,
  ): Promise<VerifiedChannelToken> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) {
      throw new AuthenticationError(
        'Teams bot: missing bearer token (Authorization: Bearer <Bot Framework token>)',
      );
    }
    const now = this.options.now?.() ?? Date.now();
    let payload: Record<string, unknown>;
    try {
      const result = await jwtVerify(match[1], await this.keys(now), {
        issuer: this.options.issuer,
        audience: this.options.appId,
        algorithms: ['RS256'],
        clockTolerance: 300,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'serviceurl'],
      });
      payload = result.payload as Record<string, unknown>;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(
        `Teams bot: token refused (${describe(error)})`,
      );
    }
    const serviceUrl = payload.serviceurl ?? payload.serviceUrl;
    if (typeof serviceUrl !== 'string' || !serviceUrl) {
      throw new AuthenticationError('Teams bot: token has no serviceUrl claim');
    }
    return { serviceUrl };
  }

  /** The activity must name the service URL its token was issued for. */
  checkServiceUrl(token: VerifiedChannelToken, activityServiceUrl: unknown) {
    if (
      typeof activityServiceUrl !== 'string' ||
      normalize(activityServiceUrl) !== normalize(token.serviceUrl)
    ) {
      throw new AuthenticationError(
        "Teams bot: the activity's serviceUrl does not match its token",
      );
    }
  }

  /** The signing keys, via the OpenID metadata; re-read once a day. */
  private async keys(now: number) {
    if (!this.jwks || now - this.jwksLoadedAt > 24 * 3600_000) {
      let metadata: Metadata;
      try {
        const res = await fetch(this.options.openIdMetadataUrl, {
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        metadata = (await res.json()) as Metadata;
      } catch (error) {
        // Not the caller's fault, but nothing is decided without keys.
        throw new AuthenticationError(
          `Teams bot: could not load the Bot Framework signing keys: ${
            (error as Error).message
          }`,
        );
      }
      if (!metadata.jwks_uri) {
        throw new AuthenticationError(
          'Teams bot: the OpenID metadata names no jwks_uri',
        );
      }
      this.jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
      this.jwksLoadedAt = now;
    }
    return this.jwks;
  }
}

function normalize(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `claim ${error.claim} is wrong`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'bad signature';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'signed with an unknown key';
  }
  return (error as Error)?.message ?? String(error);
}
