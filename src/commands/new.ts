// `oncall new <id> [--out file] [--force]`: starts a runbook. The file carries the schema header (so
// editors complete it), typed inputs and one step of each built-in kind; it validates as written
// and runs against the demo service (examples/demo/server.mjs).
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { CommandIO } from '../core/io.js';
import { display } from '../core/io.js';
import { packageRoot } from '../paths.js';
import { ID_RE } from '../runbook/schema.js';
import { parseCommandArgs, usageError } from './io.js';

const USAGE = 'oncall new <id> [--out file] [--force]';

export async function newCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, io, USAGE);
  if (!parsed) return 2;
  const [id, extra] = parsed.positionals;
  if (!id || extra !== undefined) return usageError(io, id ? `unexpected argument '${extra}'` : 'name the runbook: oncall new <id>', USAGE);
  if (!ID_RE.test(id)) return usageError(io, `'${id}' is not a runbook id: lowercase letters, digits, - and _, starting with a letter or digit (e.g. checkout-504)`, USAGE);
  const file = resolve(io.cwd, typeof parsed.values.out === 'string' ? parsed.values.out : `${id}.yaml`);
  if (existsSync(file) && !parsed.values.force) return usageError(io, `${display(file, io.cwd)} exists; pass --force to replace it, or --out another file`, USAGE);
  if (!existsSync(dirname(file))) return usageError(io, `${display(dirname(file), io.cwd)} does not exist`, USAGE);
  const root = packageRoot();
  let schema = relative(dirname(file), join(root, 'runbooks', 'runbook.schema.json'));
  if (!schema.startsWith('.')) schema = `./${schema}`;
  const shown = display(file, io.cwd);
  try {
    writeFileSync(file, template(id, schema, shown, display(join(root, 'examples', 'demo', 'server.mjs'), io.cwd)), { flag: parsed.values.force ? 'w' : 'wx' });
  } catch (err) {
    io.stderr.write(`oncall new: cannot write ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 2;
  }
  io.stdout.write(`${shown}\n`);
  io.stderr.write(`wrote ${shown}: check it with \`oncall validate ${shown} --watch\` while you edit it\n`);
  return 0;
}

function title(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function template(id: string, schema: string, file: string, demo: string): string {
  return `# yaml-language-server: $schema=${schema}
#
# Written by \`oncall new\`: typed inputs and one step of each built-in kind. Check it as you edit
# (\`oncall validate ${file} --watch\`), and try it against the demo service:
#   node ${demo} &
#   oncall run ${file} --answer cause=proxy-timeout --answer record=done
id: ${id}
title: ${title(id)}
version: 0.1.0
summary: >-
  What this runbook is for, in a sentence or two: the page it answers and what it checks.
tags: [draft]

inputs:
  url:
    type: string
    default: http://127.0.0.1:8504
    pattern: '^https?://[A-Za-z0-9.-]+(:\\d{1,5})?$'
    description: Base URL of the service
  expected_status:
    type: number
    default: 200
    min: 100
    max: 599
    description: The status a healthy service answers
  settle:
    type: duration
    default: 1s
    description: How long to give the service before recording the outcome

steps:
  # http: a probe. A network error is status 0, so assert and branches decide what it means.
  - id: probe
    title: Probe the service
    kind: http
    with:
      url: \${{ inputs.url + '/health' }}
      request_timeout: 5s
    capture:
      status: \${{ result.status }}
      latency_ms: \${{ result.latency_ms }}
    guidance: |
      See the symptom for yourself before changing anything.

  # shell: an argument array, never a shell string. effect: read runs without confirmation.
  - id: report
    title: Note what the probe saw
    kind: shell
    with:
      argv: [echo, "status \${{ string(vars.status) }} in \${{ string(vars.latency_ms) }} ms from \${{ inputs.url }}"]
      effect: read

  # decision: a rule may pick an option; otherwise a person does (or --answer cause=…).
  - id: cause
    title: Decide what is wrong
    kind: decision
    with:
      question: What do the probe's status and latency say?
      options:
        - value: healthy
          label: It answers as expected
        - value: proxy-timeout
          label: 504s from the proxy in front of it
        - value: other
          label: Something else
      rule: "\${{ vars.status == inputs.expected_status ? 'healthy' : '' }}"
      evidence:
        status: \${{ vars.status }}
        latency_ms: \${{ vars.latency_ms }}

  # wait: a fixed time here; \`until:\` with a probe waits for a condition instead.
  - id: settle
    title: Give the service a moment
    kind: wait
    with:
      for: \${{ inputs.settle }}

  # manual: a person confirms, optionally with a typed answer.
  - id: record
    title: Record the outcome in the incident channel
    kind: manual
    with:
      instruction: Post what you saw (status \${{ string(vars.status) }}) and what you decided in the incident channel.
`;
}
