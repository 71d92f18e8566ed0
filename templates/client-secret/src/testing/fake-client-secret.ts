import { FakeMedplum, type FakeMedplumOptions, type TokenResponse } from './fake-medplum.ts';

export interface ClientSecretMedplumOptions extends FakeMedplumOptions<string> {
  clientSecret: string;
}

/**
 * A fake Medplum whose ClientApplication signs in as itself with its secret: the client_credentials
 * grant with `client_id` and `client_secret` in the form, as MedplumClient's `startClientLogin` sends
 * them. Its tokens act for the client (`caller` is the client ID), and `auth/me` describes the client.
 */
export class ClientSecretMedplum extends FakeMedplum<string> {
  private readonly clientSecret: string;

  constructor(options: ClientSecretMedplumOptions) {
    super(options);
    this.clientSecret = options.clientSecret;
    this.grants.set('client_credentials', (form) => this.clientCredentials(form));
    this.routes['GET auth/me'] = () => ({ status: 200, body: this.me() });
  }

  /** The server's checks, in its order, with its error texts. */
  private clientCredentials(form: URLSearchParams): TokenResponse | string {
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (!clientId) return 'Missing client_id';
    if (clientId !== this.clientId) return 'Invalid client';
    if (!clientSecret) return 'Missing client_secret';
    if (clientSecret !== this.clientSecret) return 'Invalid secret';
    const profile = { reference: `ClientApplication/${clientId}`, display: 'Fake Client' };
    return this.signIn({ caller: clientId, subject: clientId, profile, scope: 'openid' });
  }

  private me(): unknown {
    const client = { reference: `ClientApplication/${this.clientId}`, display: 'Fake Client' };
    return {
      project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
      membership: { resourceType: 'ProjectMembership', id: 'fake-membership', user: client, profile: client },
      profile: { resourceType: 'ClientApplication', id: this.clientId, name: 'Fake Client' },
    };
  }
}
