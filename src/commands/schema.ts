// `oncall schema [--write] [--check]`: the runbook format as JSON Schema, for editors
// (yaml-language-server) and CI. The zod schema in src/runbook/schema.ts is the source.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../paths.js';
import { runbookSchema } from '../runbook/schema.js';
import { parseCommandArgs } from './io.js';
import type { CommandIO } from './io.js';

const USAGE = 'oncall schema [--write | --check]';
export const SCHEMA_ID = 'https://oncall.dev/schema/runbook.schema.json';

export function schemaPath(): string {
  return join(packageRoot(), 'runbooks', 'runbook.schema.json');
}

/** The JSON Schema text, exactly as checked in (2-space indent, trailing newline). */
export function runbookJsonSchema(): string {
  // The input flavour: fields with defaults (tags, inputs) stay optional for the person writing.
  // Draft 7 is what editors' YAML support understands best.
  const { $schema, ...rest } = z.toJSONSchema(runbookSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const doc = {
    $schema,
    $id: SCHEMA_ID,
    title: 'oncall runbook',
    description:
      'A runbook for oncall: inputs, and steps an on-call engineer is walked through. Strings may hold ${{ }} CEL expressions over inputs, steps, vars, result and incident.',
    ...rest,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function schemaCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { write: { type: 'boolean' }, check: { type: 'boolean' } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length || (parsed.values.write && parsed.values.check)) {
    io.stderr.write(`oncall schema: ${parsed.positionals.length ? `unexpected argument '${parsed.positionals[0]}'` : 'choose one of --write and --check'}\nusage: ${USAGE}\n`);
    return 2;
  }
  const text = runbookJsonSchema();
  const file = schemaPath();
  if (parsed.values.write) {
    writeFileSync(file, text);
    io.stderr.write(`wrote ${file}\n`);
    return 0;
  }
  if (parsed.values.check) {
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) return 0;
    io.stderr.write(`${file} ${current === undefined ? 'is missing' : 'is out of date'}; run: oncall schema --write\n`);
    return 1;
  }
  io.stdout.write(text);
  return 0;
}
