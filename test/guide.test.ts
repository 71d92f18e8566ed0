import { describe, expect, it } from 'vitest';
import { answersFor, chooseMethod, GUIDE, InvalidAnswer, MissingAnswer } from '../src/guide.js';
import { METHOD_IDS, METHODS } from '../src/methods.js';

describe('chooseMethod', () => {
  it.each([
    [{ app: 'user-facing' }, 'oauth-auth-code', /client-side authentication/, /start simple/],
    [{ app: 'backend', runtime: 'server' }, 'client-credentials', /server-side authentication/, /recommended/],
    [{ app: 'backend', runtime: 'stateless' }, 'basic-auth', /server-side authentication/, /cannot manage OAuth tokens/],
    [{ app: 'device' }, 'device-credentials', /machine to machine/, /never stored on disk/],
  ])('%o -> %s', (answers, method, first, last) => {
    const decision = chooseMethod(answers);
    expect(decision.method).toBe(method);
    expect(decision.reasons).toHaveLength(2);
    expect(decision.reasons[0]).toMatch(first);
    expect(decision.reasons[1]).toMatch(last);
  });

  it('asks for the backend runtime: it has two answers', () => {
    expect(() => chooseMethod({ app: 'backend' })).toThrow(MissingAnswer);
    try {
      chooseMethod({ app: 'backend' });
    } catch (err) {
      expect((err as MissingAnswer).question.id).toBe('runtime');
    }
  });

  it('needs the first question answered', () => {
    expect(() => chooseMethod({})).toThrow(MissingAnswer);
  });

  it('rejects an answer that is not a choice', () => {
    expect(() => chooseMethod({ app: 'mainframe' })).toThrow(InvalidAnswer);
    expect(() => chooseMethod({ app: 'backend', runtime: 'cron' })).toThrow(InvalidAnswer);
  });

  it('records the implied answers of single-choice questions', () => {
    expect(chooseMethod({ app: 'user-facing' }).answers).toEqual({ app: 'user-facing', identityProvider: 'medplum' });
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
