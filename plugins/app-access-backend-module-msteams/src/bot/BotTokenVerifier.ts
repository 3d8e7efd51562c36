import { AuthenticationError } from '@backstage/errors';
import {
  JWK,
  JWTHeaderParameters,
  errors as joseErrors,
  importJWK,
  jwtVerify,
} from 'jose';

/** Claims of a verified Bot Framework channel token that the bot uses. */
export type VerifiedChannelToken = {
  /** The service URL Teams put in the token; activities must carry the same. */
  serviceUrl: string;
  /** Channels the signing key is endorsed for (absent: not restricted). */
  endorsements?: string[];
};

type Metadata = { issuer?: string; jwks_uri?: string };
type BotFrameworkJwk = JWK & { kid?: string; endorsements?: string[] };

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
  private jwks?: BotFrameworkJwk[];
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
    let endorsements: string[] | undefined;
    const keyFor = async (header: JWTHeaderParameters) => {
      const jwk = await this.key(header.kid, now);
      endorsements = jwk.endorsements;
      return importJWK(jwk, 'RS256');
    };
    try {
      const result = await jwtVerify(match[1], keyFor, {
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
    return { serviceUrl, endorsements };
  }

  /**
   * Bot Framework endorses each signing key for channels: a key not
   * endorsed for the activity's channel (`msteams`) must not be accepted.
   */
  checkChannel(token: VerifiedChannelToken, channelId: unknown) {
    if (
      token.endorsements &&
      (typeof channelId !== 'string' || !token.endorsements.includes(channelId))
    ) {
      throw new AuthenticationError(
        `Teams bot: the token's signing key is not endorsed for channel '${String(
          channelId,
        )}'`,
      );
    }
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

  /**
   * The signing key with this id, from the JWKS named in the OpenID
   * metadata; re-read once a day, and once more when a key id is unknown
   * (Microsoft rotates keys).
   */
  private async key(
    kid: string | undefined,
    now: number,
  ): Promise<BotFrameworkJwk> {
    const find = () => this.jwks?.find(k => k.kid === kid && k.kty === 'RSA');
    const stale = now - this.jwksLoadedAt > 24 * 3600_000;
    if (!this.jwks || stale || (!find() && now - this.jwksLoadedAt > 60_000)) {
      await this.load(now);
    }
    const found = find();
    if (!found) {
      throw new AuthenticationError(
        'Teams bot: token refused (signed with an unknown key)',
      );
    }
    return found;
  }

  private async load(now: number) {
    const get = async (url: string) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok)
        throw new Error(`HTTP ${res.status} from ${new URL(url).host}`);
      return res.json();
    };
    try {
      const metadata = (await get(this.options.openIdMetadataUrl)) as Metadata;
      if (!metadata.jwks_uri)
        throw new Error('the OpenID metadata names no jwks_uri');
      const jwks = (await get(metadata.jwks_uri)) as {
        keys?: BotFrameworkJwk[];
      };
      if (!Array.isArray(jwks.keys)) throw new Error('the JWKS has no keys');
      this.jwks = jwks.keys;
      this.jwksLoadedAt = now;
    } catch (error) {
      // Not the caller's fault, but nothing is decided without keys.
      throw new AuthenticationError(
        `Teams bot: could not load the Bot Framework signing keys: ${
          (error as Error).message
        }`,
      );
    }
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
