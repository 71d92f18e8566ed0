/**
 * Medplum's authentication decision guide (shared/seed/authentication-methods.md) as data.
 *
 * The guide is a tree: each question's choices either lead to a method or to a follow-up
 * question. `chooseMethod` walks it; the CLI prompts along the same walk (see `resolveGuide`
 * in cli/resolve.ts). Adding a method to the guide is adding a choice here, not a branch elsewhere.
 */
import { shownValue } from '../scaffold/escape.js';
import type { App, MethodId } from './methods.js';

export interface Choice {
  readonly value: string;
  readonly label: string;
  readonly hint: string;
  /** Why this answer matters: printed as one line of the decision path. */
  readonly reason: string;
  readonly next: Question | MethodId;
}

export interface Question {
  readonly id: string;
  readonly message: string;
  /** The flag that answers this question when prompting is not possible. */
  readonly flag: string;
  /** The answer taken with --yes: the guide's own recommendation. */
  readonly recommended: string;
  readonly choices: readonly Choice[];
}

export const GUIDE = {
  id: 'app',
  message: 'What are you building?',
  flag: '--app',
  recommended: 'user-facing',
  choices: [
    {
      value: 'user-facing',
      label: 'User-facing application',
      hint: 'web app, mobile app, patient portal',
      reason: 'A user-facing app signs people in interactively, so it uses client-side authentication.',
      next: {
        id: 'identityProvider',
        message: 'Which identity provider signs your users in?',
        flag: '--method',
        recommended: 'medplum',
        choices: [
          {
            value: 'medplum',
            label: 'Medplum',
            hint: 'simple, fast setup for a new app (recommended)',
            reason:
              'Medplum is the identity provider: OAuth authorization code with PKCE is the simplest setup, and the guide says to start simple.',
            next: 'oauth-auth-code',
          },
          {
            value: 'enterprise',
            label: 'Enterprise SSO',
            hint: 'Auth0, Okta, Entra ID, Cognito, any OpenID Connect provider',
            reason:
              'Users sign in at your existing identity provider, and Medplum federates it: external identity providers.',
            next: 'external-idp',
          },
          {
            value: 'google',
            label: 'Google-first',
            hint: 'consumer app, Google Workspace users',
            reason: 'Users sign in with Google, which Medplum supports directly: Google authentication.',
            next: 'google-auth',
          },
          {
            value: 'domain',
            label: 'Domain-wide SSO enforcement',
            hint: 'everyone with an @your-company email must use its IdP',
            reason:
              "Every user of an email domain must go through that domain's IdP, chosen automatically from the email: domain-level identity providers.",
            next: 'domain-idp',
          },
        ],
      },
    },
    {
      value: 'backend',
      label: 'Backend service or API',
      hint: 'server proxy, legacy system integration',
      reason: 'A backend runs in a trusted environment, so it uses server-side authentication.',
      next: {
        id: 'userTokens',
        message: "Does the service receive users' tokens from an identity provider you already have?",
        flag: '--method',
        recommended: 'no',
        choices: [
          {
            value: 'no',
            label: 'No, it acts as itself',
            hint: 'one service identity',
            reason: 'It acts as itself, with its own client identity.',
            next: {
              id: 'runtime',
              message: 'How does your backend run?',
              flag: '--method',
              recommended: 'server',
              choices: [
                {
                  value: 'server',
                  label: 'A long-running server, API or proxy',
                  hint: 'client credentials: standard server auth, recommended',
                  reason:
                    'It keeps running, so it can hold an OAuth2 token and renew it: client credentials is the standard, recommended server auth.',
                  next: 'client-credentials',
                },
                {
                  value: 'stateless',
                  label: 'A stateless function',
                  hint: 'serverless function, webhook consumer, edge that cannot manage tokens',
                  reason:
                    'It is stateless and cannot manage OAuth tokens, so it sends HTTP Basic credentials with each request.',
                  next: 'basic-auth',
                },
              ],
            },
          },
          {
            value: 'yes',
            label: "Yes, it acts for users signed in elsewhere",
            hint: 'migrating from Firebase, Auth0, Cognito…',
            reason:
              "Its callers already hold tokens from your identity provider: token exchange turns each into a Medplum token for that user.",
            next: 'token-exchange',
          },
        ],
      },
    },
    {
      value: 'device',
      label: 'Device or automation',
      hint: 'lab equipment, CI/CD pipeline, data sync',
      reason: 'A device or automation connects machine to machine, so it uses device authentication.',
      next: {
        id: 'credential',
        message: 'Can the device hold a private key, and can you host a JWKS at an HTTPS URL?',
        flag: '--method',
        recommended: 'client-secret',
        choices: [
          {
            value: 'client-secret',
            label: 'No: a client secret injected at run time',
            hint: 'client credentials, least privilege, no secret on disk',
            reason:
              'It uses client credentials with an extremely restricted access policy, network isolation, and a secret that is injected at run time, never stored on disk.',
            next: 'device-credentials',
          },
          {
            value: 'private-key',
            label: 'Yes: a private key, no shared secret',
            hint: 'private-key JWT (client assertion)',
            reason:
              'It holds its own private key and proves who it is with a short-lived signed JWT, so no shared secret exists to leak.',
            next: 'jwt-assertion',
          },
        ],
      },
    },
  ],
} as const satisfies Question;

/**
 * The guide's "Need help choosing?" questions, as `--for` shortcuts: each answers the guide's
 * questions the way the guide does, and adds its own reason.
 */
export const SHORTCUTS = {
  'firebase-migration': {
    question: "I'm migrating from Firebase Auth",
    answers: { app: 'user-facing', identityProvider: 'enterprise' },
    reason:
      'The guide: migrating from Firebase Auth -> external identity providers. (A backend that receives Firebase-issued tokens uses token exchange: --app backend.)',
    byApp: { backend: { userTokens: 'yes' } },
  },
  'okta-sso': {
    question: 'My organization requires Okta SSO',
    answers: { app: 'user-facing', identityProvider: 'enterprise' },
    reason:
      'The guide: Okta SSO -> external identity providers, plus a domain-level identity provider for automatic routing (--method domain-idp).',
    byApp: {},
  },
  'web-and-mobile': {
    question: 'I need both web and mobile apps',
    answers: { app: 'user-facing', identityProvider: 'medplum' },
    reason: 'The guide: OAuth authorization code works for both, with the same client configuration.',
    byApp: {},
  },
  'lab-integration': {
    question: "I'm building a lab integration",
    answers: { app: 'device' },
    reason: 'The guide: a lab integration -> client credentials with device-specific access policies.',
    byApp: {},
  },
} as const satisfies Record<
  string,
  {
    question: string;
    answers: Record<string, string>;
    reason: string;
    byApp: Partial<Record<string, Record<string, string>>>;
  }
>;

export type Shortcut = keyof typeof SHORTCUTS;
export const SHORTCUT_IDS = Object.keys(SHORTCUTS) as Shortcut[];

export type Answers = Readonly<Record<string, string | undefined>>;

export interface Decision {
  readonly method: MethodId;
  readonly reasons: readonly string[];
  /** The answers along the path, including those implied by single-choice questions. */
  readonly answers: Readonly<Record<string, string>>;
}

/** A question on the path has no answer, and has more than one possible answer. */
export class MissingAnswer extends Error {
  readonly question: Question;
  constructor(question: Question) {
    super(`No answer to "${question.message}" (${question.flag})`);
    this.question = question;
  }
}

/** An answer is not one of the question's choices. */
export class InvalidAnswer extends Error {
  readonly question: Question;
  readonly value: string;
  constructor(question: Question, value: string) {
    super(`${shownValue(value)} is not an answer to "${question.message}"`);
    this.question = question;
    this.value = value;
  }
}

/**
 * Walks the guide with the given answers and returns the method and the reasons for it.
 * A question with a single choice needs no answer. Pure: no I/O, no defaults.
 */
export function chooseMethod(answers: Answers, guide: Question = GUIDE): Decision {
  const reasons: string[] = [];
  const path: Record<string, string> = {};
  let question: Question = guide;
  for (;;) {
    const choice = pick(question, answers[question.id]);
    reasons.push(choice.reason);
    path[question.id] = choice.value;
    if (typeof choice.next === 'string') {
      return { method: choice.next, reasons, answers: path };
    }
    question = choice.next;
  }
}

function pick(question: Question, value: string | undefined): Choice {
  if (value === undefined) {
    const [only, ...others] = question.choices;
    if (only && others.length === 0) {
      return only;
    }
    throw new MissingAnswer(question);
  }
  const choice = question.choices.find((c) => c.value === value);
  if (!choice) {
    throw new InvalidAnswer(question, value);
  }
  return choice;
}

/** The answers that lead to a method: how `--method` alone implies its app and follow-ups. */
export function answersFor(method: MethodId, guide: Question = GUIDE): Record<string, string> | undefined {
  for (const choice of guide.choices) {
    if (choice.next === method) {
      return { [guide.id]: choice.value };
    }
    if (typeof choice.next !== 'string') {
      const rest = answersFor(method, choice.next);
      if (rest) {
        return { [guide.id]: choice.value, ...rest };
      }
    }
  }
  return undefined;
}
