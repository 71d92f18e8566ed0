import { describe, expect, it } from 'vitest';
import { answersFor, chooseMethod, GUIDE, InvalidAnswer, MissingAnswer, SHORTCUT_IDS, SHORTCUTS, type Question } from '../../src/guide/guide.js';
import { appScheme, exchangeIdentityProvider, METHOD_IDS, METHODS } from '../../src/guide/methods.js';

describe('chooseMethod', () => {
  it.each([
    [{ app: 'user-facing', identityProvider: 'medplum' }, 'oauth-auth-code', /client-side authentication/, /start simple/],
    [{ app: 'user-facing', identityProvider: 'enterprise' }, 'external-idp', /client-side/, /federates/],
    [{ app: 'user-facing', identityProvider: 'google' }, 'google-auth', /client-side/, /Google authentication/],
    [{ app: 'user-facing', identityProvider: 'domain' }, 'domain-idp', /client-side/, /domain-level identity providers/],
    [{ app: 'backend', userTokens: 'no', runtime: 'server' }, 'client-credentials', /server-side authentication/, /recommended/],
    [{ app: 'backend', userTokens: 'no', runtime: 'stateless' }, 'basic-auth', /server-side authentication/, /cannot manage OAuth tokens/],
    [{ app: 'backend', userTokens: 'yes' }, 'token-exchange', /server-side authentication/, /token exchange/],
    [{ app: 'device', credential: 'client-secret' }, 'device-credentials', /machine to machine/, /never stored on disk/],
    [{ app: 'device', credential: 'private-key' }, 'jwt-assertion', /machine to machine/, /no shared secret/],
  ])('%o -> %s', (answers, method, first, last) => {
    const decision = chooseMethod(answers);
    expect(decision.method).toBe(method);
    expect(decision.reasons[0]).toMatch(first);
    expect(decision.reasons.at(-1)).toMatch(last);
  });

  it.each([
    [{ app: 'user-facing' }, 'identityProvider', 'No answer to "Which identity provider signs your users in?" (--method)'],
    [{ app: 'backend' }, 'userTokens', 'No answer to "Does the service receive users\' tokens from an identity provider you already have?" (--method)'],
    [{ app: 'backend', userTokens: 'no' }, 'runtime', 'No answer to "How does your backend run?" (--method)'],
    [{ app: 'device' }, 'credential', 'No answer to "Can the device hold a private key, and can you host a JWKS at an HTTPS URL?" (--method)'],
    [{}, 'app', 'No answer to "What are you building?" (--app)'],
  ])('%o still needs an answer to %s, and says which flag gives it', (answers, question, message) => {
    try {
      chooseMethod(answers);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MissingAnswer);
      expect((err as MissingAnswer).question.id).toBe(question);
      expect((err as MissingAnswer).message).toBe(message);
    }
  });

  it('takes the only choice of a question without asking', () => {
    const guide: Question = {
      id: 'kind',
      message: 'Which kind?',
      flag: '--kind',
      recommended: 'one',
      choices: [{ value: 'one', label: 'One', hint: 'the only one', reason: 'There is only one.', next: 'basic-auth' }],
    };
    expect(chooseMethod({}, guide)).toEqual({ method: 'basic-auth', reasons: ['There is only one.'], answers: { kind: 'one' } });
  });

  it('--yes: the recommended answers lead to the guide\'s recommended method for each kind of app', () => {
    const recommended = (answers: Record<string, string>) => {
      for (;;) {
        try {
          return chooseMethod(answers).method;
        } catch (err) {
          const { question } = err as MissingAnswer;
          answers[question.id] = question.recommended;
        }
      }
    };
    expect(recommended({})).toBe('oauth-auth-code');
    expect(recommended({ app: 'backend' })).toBe('client-credentials');
    expect(recommended({ app: 'device' })).toBe('device-credentials');
  });

  it('rejects an answer that is not a choice, quoting it', () => {
    expect(() => chooseMethod({ app: 'mainframe' })).toThrow(new InvalidAnswer(GUIDE, 'mainframe'));
    expect(() => chooseMethod({ app: 'mainframe' })).toThrow('"mainframe" is not an answer to "What are you building?"');
    expect(() => chooseMethod({ app: 'backend', userTokens: 'no', runtime: 'cron' })).toThrow(InvalidAnswer);
  });

  it('records the answers along the path', () => {
    expect(chooseMethod({ app: 'backend', userTokens: 'yes', runtime: 'ignored' }).answers).toEqual({ app: 'backend', userTokens: 'yes' });
  });
});

describe('shortcuts (--for)', () => {
  it.each([
    ['firebase-migration', 'external-idp'],
    ['okta-sso', 'external-idp'],
    ['web-and-mobile', 'oauth-auth-code'],
  ] as const)('%s answers the guide down to %s', (id, method) => {
    expect(chooseMethod(SHORTCUTS[id].answers).method).toBe(method);
  });

  it('lab-integration stops at one more question: how the lab holds its credential', () => {
    expect(() => chooseMethod(SHORTCUTS['lab-integration'].answers)).toThrow(expect.objectContaining({ question: expect.objectContaining({ id: 'credential' }) }));
    expect(() => chooseMethod(SHORTCUTS['lab-integration'].answers)).toThrow(MissingAnswer);
  });

  it('every shortcut is one of those above', () => {
    expect([...SHORTCUT_IDS].sort()).toEqual(['firebase-migration', 'lab-integration', 'okta-sso', 'web-and-mobile']);
  });

  it('follows the guide: Firebase -> external IdP, or token exchange for a backend', () => {
    expect(chooseMethod(SHORTCUTS['firebase-migration'].answers).method).toBe('external-idp');
    expect(chooseMethod({ ...SHORTCUTS['firebase-migration'].answers, app: 'backend', ...SHORTCUTS['firebase-migration'].byApp.backend }).method).toBe(
      'token-exchange',
    );
    expect(chooseMethod(SHORTCUTS['okta-sso'].answers).method).toBe('external-idp');
    expect(chooseMethod(SHORTCUTS['web-and-mobile'].answers).method).toBe('oauth-auth-code');
    expect(() => chooseMethod(SHORTCUTS['lab-integration'].answers)).toThrow(MissingAnswer); // device: secret or key?
  });
});

describe('answersFor', () => {
  it.each(METHOD_IDS)('leads back to %s, under the app its table entry names', (method) => {
    const answers = answersFor(method);
    expect(answers).toBeDefined();
    expect(answers?.[GUIDE.id]).toBe(METHODS[method].app);
    expect(chooseMethod(answers ?? {}).method).toBe(method);
  });

  it('knows no method outside the guide', () => {
    // @ts-expect-error: not a method id
    expect(answersFor('magic-link')).toBeUndefined();
  });
});

describe('the guide table', () => {
  it('recommends one of its own choices at every question', () => {
    const walk = (q: typeof GUIDE | { choices: readonly { value: string; next: unknown }[]; recommended: string }): void => {
      expect(q.choices.map((c) => c.value)).toContain(q.recommended);
      for (const c of q.choices) {
        if (typeof c.next !== 'string') {
          walk(c.next as typeof GUIDE);
        }
      }
    };
    walk(GUIDE);
  });

  it('reaches every method', () => {
    const reached = METHOD_IDS.filter((m) => answersFor(m) !== undefined);
    expect(reached).toEqual([...METHOD_IDS]);
  });
});

describe('the guide as the prompts show it', () => {
  const questions = (q: Question): Question[] => [q, ...q.choices.flatMap((c) => (typeof c.next === 'string' ? [] : questions(c.next)))];

  it.each(questions(GUIDE).map((q) => [q.id, q] as const))('%s: a question, and choices each with a distinct label, a hint and a reason', (_id, q) => {
    expect(q.message).toMatch(/^[A-Z].*\?$/);
    expect(q.flag).toMatch(/^--(app|method)$/);
    for (const c of q.choices) {
      expect(c.label.length, c.value).toBeGreaterThan(2);
      expect(c.hint.length, c.value).toBeGreaterThan(2);
      expect(c.reason, c.value).toMatch(/^[A-Z"'].*[a-z)]\.$/);
    }
    expect(new Set(q.choices.map((c) => c.label)).size).toBe(q.choices.length);
    expect(new Set(q.choices.map((c) => c.value)).size).toBe(q.choices.length);
  });

  it.each(SHORTCUT_IDS)('--for %s: the guide\'s question, and a reason that quotes the guide', (id) => {
    expect(SHORTCUTS[id].question.length).toBeGreaterThan(10);
    expect(SHORTCUTS[id].reason).toMatch(/^The guide: /);
  });
});

describe('appScheme (the mobile starter\'s URL scheme, from the package name)', () => {
  it.each([
    ['my-app', 'my-app'],
    ['my_app', 'my-app'],
    ['@acme/my_app', 'my-app'],
    ['1st-app', 'st-app'],
    ['_x_y', 'x-y'],
    ['123', 'medplum-app'],
    ['@scope/42', 'medplum-app'],
  ])('%s -> %s', (name, scheme) => {
    expect(appScheme(name)).toBe(scheme);
  });
});

describe('exchangeIdentityProvider (token-exchange\'s identityProvider)', () => {
  const idp = { authorizeUrl: '', tokenUrl: '', userInfoUrl: 'https://idp.example.com/userinfo', clientId: '' };

  it('without full: only what is known', () => {
    expect(exchangeIdentityProvider(idp, false)).toEqual({ userInfoUrl: 'https://idp.example.com/userinfo' });
  });

  it('full: every field Medplum 5.1 requires, the unused ones marked as such', () => {
    expect(exchangeIdentityProvider(idp, true)).toEqual({
      authorizeUrl: '',
      tokenUrl: '',
      userInfoUrl: 'https://idp.example.com/userinfo',
      clientId: 'unused-by-token-exchange',
      clientSecret: 'unused-by-token-exchange',
    });
  });
});
