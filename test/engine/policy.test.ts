// The engine's policy as a table: what a step needs before it may run, and whether an answer
// answers a question. The TUI and the headless runner collect answers; these functions decide.
import { describe, expect, it } from 'vitest';
import { answerProblem, decideStep, typedMatches, type StepFacts } from '../../src/engine/policy.js';

const read: StepFacts = { effect: 'read', confirm: false, destructive: false, readOnly: false };
const write: StepFacts = { ...read, effect: 'write' };

describe('decideStep', () => {
  it.each<[string, StepFacts, ReturnType<typeof decideStep>['kind'], string?]>([
    ['a read runs', read, 'allow'],
    ['a human step runs (it asks its own question)', { ...read, effect: 'human' }, 'allow'],
    ['a read the runbook asks to confirm needs approval', { ...read, confirm: true }, 'approve'],
    ['a write needs approval', write, 'approve'],
    ['a destructive write needs its resource typed', { ...write, destructive: true, resource: 'i-0abc' }, 'type-resource'],
    ['a destructive write with nothing to type still needs approval', { ...write, destructive: true }, 'approve'],
    ['read-only refuses a write', { ...write, readOnly: true }, 'refuse', 'read-only'],
    ['read-only refuses a destructive write', { ...write, destructive: true, resource: 'x', readOnly: true }, 'refuse', 'read-only'],
    ['read-only lets a read run', { ...read, readOnly: true }, 'allow'],
    ['an allowed account may be changed', { ...write, allowedAccounts: ['111122223333'], account: '111122223333' }, 'approve'],
    ['another account may not', { ...write, allowedAccounts: ['111122223333'], account: '999999999999' }, 'refuse', 'account-not-allowed'],
    ['an unknown account may not', { ...write, allowedAccounts: ['111122223333'] }, 'refuse', 'identity-unknown'],
    ['allowed accounts do not hold reads back', { ...read, allowedAccounts: ['111122223333'] }, 'allow'],
  ])('%s', (_what, facts, kind, reason) => {
    const d = decideStep(facts);
    expect(d.kind).toBe(kind);
    if (d.kind === 'refuse') expect(d.reason).toBe(reason);
    if (d.kind === 'type-resource') expect(d.resource).toBe(facts.resource);
  });

  it('a typed resource must be the resource, exactly', () => {
    const d = decideStep({ ...write, destructive: true, resource: 'i-0abc' });
    expect(typedMatches(d, 'i-0abc')).toBe(true);
    for (const wrong of [undefined, '', 'i-0ab', 'i-0abc ', 'I-0ABC', 'i-0abcd']) expect(typedMatches(d, wrong)).toBe(false);
    expect(typedMatches(decideStep(write), undefined)).toBe(true);
  });
});

describe('answerProblem', () => {
  const text = (pattern?: string, required?: boolean) => ({ type: 'text' as const, ...(pattern ? { pattern } : {}), ...(required === undefined ? {} : { required }) });
  const choice = { type: 'choice' as const, options: [{ value: 'raise-timeout', label: 'a' }, { value: 'healthy', label: 'b' }] };
  it.each<[string, Parameters<typeof answerProblem>[0], string, RegExp | undefined]>([
    ['a matching ticket', text('INC-[0-9]+'), 'INC-1234', undefined],
    ['a ticket inside other words (the pattern matches the whole answer)', text('INC-[0-9]+'), 'see INC-1234 maybe', /does not match INC-\[0-9\]\+/],
    ['a ticket with a suffix', text('INC-[0-9]+'), 'INC-1234x', /does not match/],
    ['an alternation is anchored as a whole', text('a|b'), 'ab', /does not match/],
    ['surrounding spaces are not part of the answer', text('INC-[0-9]+'), '  INC-7 ', undefined],
    ['an empty required answer', text(), '  ', /required/],
    ['an empty optional answer', text('INC-[0-9]+', false), '', undefined],
    ['free text without a pattern', text(), 'anything at all', undefined],
    ['a broken pattern in the runbook does not hold the operator hostage', text('('), 'x', undefined],
    ['one of the options', choice, 'healthy', undefined],
    ['not one of the options', choice, 'raise', /'raise' is not one of: raise-timeout, healthy/],
    ['a manual step is done', { type: 'manual' }, 'done', undefined],
    ['a manual step is not answered with anything else', { type: 'manual' }, 'yes', /answered with 'done'/],
  ])('%s', (_what, req, value, problem) => {
    const got = answerProblem(req, value);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
});
