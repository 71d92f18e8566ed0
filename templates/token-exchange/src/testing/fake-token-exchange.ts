import { FakeMedplum, type FakeMedplumOptions, fakeJwt, type TokenResponse } from './fake-medplum.ts';

export interface FakeUser {
  email: string;
  /** The user's profile in the project, e.g. `{ reference: 'Practitioner/123', display: 'Ada Lovelace' }`. */
  profile: { reference: string; display: string };
}

export interface TokenExchangeMedplumOptions extends FakeMedplumOptions<FakeUser> {
  /** The identity provider's side: which user each external access token belongs to. Other tokens are refused. */
  identityProvider: Record<string, FakeUser>;
}

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * A fake Medplum and your identity provider: it answers the token-exchange grant (RFC 8693) with
 * the server's checks and error texts. Where the real server calls the ClientApplication's
 * `identityProvider.userInfoUrl`, the fake looks the external token up in `identityProvider`.
 * Its tokens act for that user (`caller`), and `auth/me` describes them.
 */
export class TokenExchangeMedplum extends FakeMedplum<FakeUser> {
  private readonly identityProvider: Record<string, FakeUser>;

  constructor(options: TokenExchangeMedplumOptions) {
    super(options);
    this.identityProvider = options.identityProvider;
    this.grants.set(TOKEN_EXCHANGE, (form) => this.exchange(form));
    this.routes['GET auth/me'] = ({ caller }) => ({ status: 200, body: me(caller) });
  }

  private exchange(form: URLSearchParams): TokenResponse | string {
    if (form.get('client_id') !== this.clientId) return 'Invalid client';
    const subjectToken = form.get('subject_token');
    if (!subjectToken) return 'Invalid subject_token';
    if (form.get('subject_token_type') !== ACCESS_TOKEN_TYPE) return 'Invalid subject_token_type';
    // The real server calls identityProvider.userInfoUrl with the token here.
    const user = this.identityProvider[subjectToken];
    if (!user) return 'Failed to verify code - check your identity provider configuration';

    const scope = 'openid offline_access';
    const response = this.signIn({ caller: user, subject: userIdOf(user), profile: user.profile, scope });
    // With offline_access in the scope, Medplum also returns a refresh token.
    const refreshToken = fakeJwt({ login_id: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) });
    return { ...response, refresh_token: refreshToken };
  }
}

function me(user: FakeUser): unknown {
  const [resourceType, id] = user.profile.reference.split('/');
  const userRef = { reference: `User/${userIdOf(user)}`, display: user.email };
  return {
    user: { resourceType: 'User', id: userIdOf(user), email: user.email },
    project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
    membership: { resourceType: 'ProjectMembership', id: `membership-${id}`, user: userRef, profile: user.profile },
    profile: { resourceType, id },
  };
}

function userIdOf(user: FakeUser): string {
  return `user-${user.email.replace(/[^a-z0-9]/gi, '-')}`;
}
