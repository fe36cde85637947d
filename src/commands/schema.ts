// `oncall schema [runbook|scenario] [--write] [--check]`: the runbook and drill scenario formats
// as JSON Schema, for editors (yaml-language-server) and CI. The zod schemas are the source.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { scenarioSchema } from '../drill/scenario.js';
import { packageRoot } from '../paths.js';
import { runbookSchema } from '../runbook/schema.js';
import { configSchema } from '../config/schema.js';
import { parseCommandArgs, say, usageError } from './io.js';
import type { CommandIO } from '../core/io.js';

const USAGE = 'oncall schema [runbook|scenario|config] [--write | --check]';
export const SCHEMA_ID = 'https://oncall.dev/schema/runbook.schema.json';

const SCHEMAS = {
  runbook: {
    file: 'runbook.schema.json',
    schema: runbookSchema,
    title: 'oncall runbook',
    description:
      'A runbook for oncall: inputs, and steps an on-call engineer is walked through. Strings may hold ${{ }} CEL expressions over inputs, steps, vars, result and incident.',
  },
  scenario: {
    file: 'scenario.schema.json',
    schema: scenarioSchema,
    title: 'oncall drill scenario',
    description:
      'A practice drill for oncall: the runbook it exercises, the page, a simulated world and what a good response looks like. World expressions (${{ }}, CEL) see state, derived, elapsed_s, and args or request.',
  },
  config: {
    file: 'config.schema.json',
    schema: configSchema,
    title: 'oncall config file',
    description: 'Defaults for oncall, in $XDG_CONFIG_HOME/oncall/config.yaml. Flags beat the environment, which beats this file; `oncall config` shows what won.',
  },
} as const;
type Which = keyof typeof SCHEMAS;

export function schemaPath(which: Which = 'runbook'): string {
  return join(packageRoot(), 'runbooks', SCHEMAS[which].file);
}

/** The JSON Schema text, exactly as checked in (2-space indent, trailing newline). */
export function jsonSchemaText(which: Which): string {
  const spec = SCHEMAS[which];
  // The input flavour: fields with defaults stay optional for the person writing.
  // Draft 7 is what editors' YAML support understands best.
  const { $schema, ...rest } = z.toJSONSchema(spec.schema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const doc = { $schema, $id: `https://oncall.dev/schema/${spec.file}`, title: spec.title, description: spec.description, ...rest };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function runbookJsonSchema(): string {
  return jsonSchemaText('runbook');
}

export async function schemaCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { write: { type: 'boolean' }, check: { type: 'boolean' } }, io, USAGE);
  if (!parsed) return 2;
  const [which = 'runbook', extra] = parsed.positionals;
  if (extra !== undefined || !(which in SCHEMAS) || (parsed.values.write && parsed.values.check)) {
    const why = extra !== undefined || !(which in SCHEMAS) ? `unexpected argument '${extra ?? which}'` : 'choose one of --write and --check';
    return usageError(io, why, USAGE);
  }
  if (parsed.values.write || parsed.values.check) {
    let stale = 0;
    for (const name of Object.keys(SCHEMAS) as Which[]) {
      const text = jsonSchemaText(name);
      const file = schemaPath(name);
      if (parsed.values.write) {
        writeFileSync(file, text);
        say(io, `wrote ${file}\n`);
        continue;
      }
      let current: string | undefined;
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        current = undefined;
      }
      if (current !== text) {
        stale += 1;
        say(io, `${file} ${current === undefined ? 'is missing' : 'is out of date'}; run: oncall schema --write\n`);
      }
    }
    return stale ? 1 : 0;
  }
  io.stdout.write(jsonSchemaText(which as Which));
  return 0;
}
