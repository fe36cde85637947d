// Schema problems in people's words: never `undefined is not one of …`, never `[object Object]`;
// a missing field is said of the mapping it belongs in; a union lists what would do; names are
// suggested in snake_case, the way they must be written.
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/drill/scenario.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { formatIssue, parseRunbook } from '../../src/runbook/load.js';
import { didYouMean, snakeCase } from '../../src/runbook/suggest.js';

const registry = builtinRegistry();
const NOT_WORDS = /undefined|\[object Object\]|NaN|null is not|or a null/;

const rb = (extra: string, step = '') =>
  `id: r\ntitle: t\nversion: 1.0.0\nsummary: s\n${extra}steps:\n  - id: a\n    title: t\n    kind: manual\n    with: {instruction: x}\n${step}`;
const sc = (x: string) => `id: s\ntitle: t\nrunbook: x\npage: {text: p}\nexpect: {}\n${x}`;

function messages(r: { issues: { message: string; hint?: string; severity: string }[] }): string[] {
  return r.issues.map((i) => `${i.severity}: ${i.message}`);
}

describe('zod issues, re-worded', () => {
  test.each([
    ['an input without a type', rb('inputs:\n  x: {description: d}\n'), "error: missing required field 'type' in inputs.x"],
    ['an input type that is a mapping', rb('inputs:\n  x: {type: {a: 1}}\n'), 'error: inputs.x.type must be one of string, number, boolean, duration, enum, not a mapping'],
    ['an input type that is a list', rb('inputs:\n  x: {type: [1]}\n'), 'error: inputs.x.type must be one of string, number, boolean, duration, enum, not a list'],
    ['a method that is a mapping', rb('', '  - id: b\n    title: t\n    kind: http\n    with: {url: http://x, method: {b: 1}}\n'), 'error: with.method must be one of GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE, not a mapping'],
    ['an assertion without that', rb('', '    assert: [{message: x}]\n'), "error: missing required field 'that' in assert[0]"],
    ['a branch without next', rb('', '    branches: [{}]\n'), "error: missing required field 'next' in branches[0]"],
    ['a decision option without value', rb('', '  - id: b\n    title: t\n    kind: decision\n    with: {question: q, options: [{label: x}]}\n'), "error: missing required parameter 'value' in with.options[0]"],
    ['a file name reshaped by its kind (a comma-separated list)', rb('', '  - id: b\n    title: t\n    kind: files.move\n    with: {from: /a, to: /b, files: "x/y, z"}\n'), 'error: with.files[0] must be a plain file name (no /)'],
    ['an argv element that is a mapping', rb('', '  - id: b\n    title: t\n    kind: shell\n    with: {argv: [{a: 1}]}\n'), 'error: with.argv[0] must be text, a number or true/false, not a mapping'],
  ])('runbook: %s', (_name, src, expected) => {
    const r = parseRunbook(src, 'r.yaml', registry);
    expect(messages(r)).toContain(expected);
  });

  test.each([
    ['a page without text', 'id: s\ntitle: t\nrunbook: x\npage: {}\nexpect: {}\n', "error: missing required field 'text' in page"],
    ['an outcome that is a mapping', 'id: s\ntitle: t\nrunbook: x\npage: {text: p}\nexpect: {outcome: {a: 1}}\n', 'error: expect.outcome must be one of completed, failed, not a mapping'],
    ['a status that is a mapping (a union)', sc('world: {http: [{url: u, status: {a: 1}}]}\n'), 'error: world.http[0].status must be text, a number, true/false or empty (null), not a mapping'],
    ['stdout that is a list (a union of a union and a record)', sc('world: {commands: [{argv: [x], stdout: [1]}]}\n'), 'error: world.commands[0].stdout must be text, a number, true/false, empty (null) or a mapping, not a list'],
    ['a wrong turn without why', 'id: s\ntitle: t\nrunbook: x\npage: {text: p}\nexpect: {wrong_turns: [{step: a}]}\n', "error: missing required field 'why' in expect.wrong_turns[0]"],
  ])('scenario: %s', (_name, src, expected) => {
    const r = parseScenario(src, 's.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(messages(r)).toContain(expected);
  });

  test('no message says undefined, [object Object] or NaN, over many wrong shapes', () => {
    const shapes = ['', 'null', '1', '-1.5', 'true', 'text', '[]', '[1, {a: 1}]', '{}', '{a: {b: 1}}', "''"];
    const fields = [
      (v: string) => rb(`inputs:\n  x: ${v}\n`),
      (v: string) => rb(`inputs:\n  x: {type: ${v}}\n`),
      (v: string) => rb(`inputs:\n  x: {type: enum, values: ${v}}\n`),
      (v: string) => rb(`tags: ${v}\n`),
      (v: string) => rb(`version: ${v}\n`),
      (v: string) => rb('', `    retry: ${v}\n`),
      (v: string) => rb('', `    retry: {attempts: ${v}}\n`),
      (v: string) => rb('', `    assert: [${v}]\n`),
      (v: string) => rb('', `    branches: [${v}]\n`),
      (v: string) => rb('', `    confirm: ${v}\n`),
      (v: string) => rb('', `    verify: ${v}\n`),
      (v: string) => rb('', `  - id: b\n    title: t\n    kind: http\n    with: {url: ${v}, method: ${v}}\n`),
      (v: string) => rb('', `  - id: b\n    title: t\n    kind: decision\n    with: {question: q, options: [${v}]}\n`),
      (v: string) => rb('', `  - ${v}\n`),
      (v: string) => sc(`world: {http: [{url: u, status: ${v}}]}\n`),
      (v: string) => sc(`world: {commands: [{argv: [x], stdout: ${v}}]}\n`),
      (v: string) => sc(`inputs: {a: ${v}}\n`),
      (v: string) => sc(`world: {aws: ${v}}\n`),
      (v: string) => sc(`world: {kube: {nodes: [${v}]}}\n`),
      (v: string) => `id: s\ntitle: t\nrunbook: x\npage: ${v}\nexpect: {outcome: ${v}, wrong_turns: [${v}]}\n`,
    ];
    let checked = 0;
    for (const field of fields) {
      for (const v of shapes) {
        const src = field(v);
        const r = /^runbook:/m.test(src) ? parseScenario(src, 'f.yaml') : parseRunbook(src, 'f.yaml', registry);
        for (const i of 'issues' in r ? r.issues : []) {
          const text = formatIssue(i);
          expect(text, `${src}\n→ ${text}`).not.toMatch(NOT_WORDS);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  test('the check itself can fail: a message with undefined in it is caught', () => {
    expect("inputs.x.type undefined is not one of string, number").toMatch(NOT_WORDS);
  });
});

describe('names in snake_case', () => {
  test('an input name in camelCase: the hint is instance_id, not instanceid', () => {
    const r = parseRunbook(rb('inputs:\n  instanceId: {type: string}\n'), 'r.yaml', registry);
    expect(r.issues[0]).toMatchObject({ message: "name 'instanceId': input names are lowercase snake_case", hint: "for example 'instance_id'" });
  });

  test('a step id in camelCase: the hint is check-health', () => {
    const r = parseRunbook(rb('').replace('id: a', 'id: checkHealth'), 'r.yaml', registry);
    expect(r.issues[0]!.hint).toBe('for example id: check-health');
  });

  test('a parameter key or an input reference in camelCase suggests its snake_case name', () => {
    const r = parseRunbook(rb('', '  - id: b\n    title: t\n    kind: aws.ec2.stopInstances\n    with: {instanceId: i-0123456789abcdef0}\n'), 'r.yaml', registry);
    expect(messages(r)).toContain("error: unknown parameter 'instanceId' for kind 'aws.ec2.stopInstances' — did you mean 'instance_id'?");
    expect(didYouMean('instanceId', ['instance', 'instance_id', 'instances'])).toBe('instance_id');
    expect(didYouMean('targetGroupArn', ['target_group_arn', 'target_group'])).toBe('target_group_arn');
  });

  test.each([
    ['instanceId', 'instance_id'],
    ['HTTPStatus', 'http_status'],
    ['targetGroupARN', 'target_group_arn'],
    ['Check Health', 'check_health'],
    ['already_snake', 'already_snake'],
    ['x2Large', 'x2_large'],
  ])('snakeCase(%j) = %j', (name, expected) => {
    expect(snakeCase(name)).toBe(expected);
  });
});
