import { FakeMedplum, type FakeMedplumOptions, type RecordedRequest } from './fake-medplum.ts';

export interface BasicAuthMedplumOptions extends FakeMedplumOptions<string> {
  clientSecret: string;
}

/**
 * A fake Medplum that accepts the ClientApplication's ID and secret as HTTP Basic credentials on
 * every request, as the server does (`caller` is the client ID). Wrong credentials get the server's
 * 401, whose `WWW-Authenticate` echoes the scheme the request used.
 */
export class BasicAuthMedplum extends FakeMedplum<string> {
  private readonly clientSecret: string;

  constructor(options: BasicAuthMedplumOptions) {
    super(options);
    this.clientSecret = options.clientSecret;
  }

  protected override authenticate(request: RecordedRequest<string>): string | undefined {
    const basic = parseBasic(request.headers.get('authorization'));
    if (!basic) {
      return super.authenticate(request);
    }
    return basic.id === this.clientId && basic.secret === this.clientSecret ? basic.id : undefined;
  }

  protected override challenge(request: RecordedRequest<string>): string {
    return request.headers.get('authorization')?.startsWith('Basic ') ? 'Basic' : super.challenge(request);
  }
}

function parseBasic(header: string | null): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
