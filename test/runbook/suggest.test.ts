import { expect, test } from 'vitest';
import { didYouMean, suggestion } from '../../src/runbook/suggest.js';

test.each([
  ['shel', ['shell', 'http', 'wait'], 'shell'],
  ['timout', ['timeout', 'title', 'kind'], 'timeout'],
  ['nmae', ['name', 'count'], 'name'],
  ['regoin', ['region', 'instance_id'], 'region'],
  ['input', ['inputs', 'steps', 'vars'], 'inputs'],
  ['Shell', ['shell', 'http'], 'shell'],
  ['idd', ['id', 'mode'], 'id'],
  ['stopInstances', ['aws.ec2.stopInstances', 'aws.ec2.startInstances'], 'aws.ec2.stopInstances'],
  ['y', ['x', 'z'], undefined],
  ['banana', ['shell', 'http'], undefined],
  ['shell', ['shell'], undefined],
] as const)('didYouMean(%j) = %j', (word, candidates, expected) => {
  expect(didYouMean(word, candidates)).toBe(expected);
});

test('suggestion() is the message tail, or nothing', () => {
  expect(suggestion('shel', ['shell'])).toBe(" — did you mean 'shell'?");
  expect(suggestion('zzz', ['shell'])).toBe('');
});
