#!/usr/bin/env node
// Reads and changes the demo service's settings, like a cloud CLI would for a load balancer.
// usage: node examples/demo/ctl.mjs status|set-timeout <ms> [--state file]
import { parseArgs } from 'node:util';
import { readState, writeState } from './state.mjs';

const { values, positionals } = parseArgs({ options: { state: { type: 'string', default: 'examples/demo/state.json' } }, allowPositionals: true });
const [command, arg] = positionals;
const state = readState(values.state);

if (command === 'status') {
  process.stdout.write(`${JSON.stringify(state)}\n`);
} else if (command === 'set-timeout') {
  const ms = Number(arg);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) {
    process.stderr.write(`set-timeout needs milliseconds between 1 and 600000, got ${JSON.stringify(arg)}\n`);
    process.exit(2);
  }
  const before = state.proxy_timeout_ms;
  writeState(values.state, { ...state, proxy_timeout_ms: ms }, { change: 'set-timeout', from: before, to: ms });
  process.stdout.write(`${JSON.stringify({ proxy_timeout_ms: ms, previous_ms: before })}\n`);
} else {
  process.stderr.write('usage: ctl.mjs status|set-timeout <ms> [--state file]\n');
  process.exit(2);
}
