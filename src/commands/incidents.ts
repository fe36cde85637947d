// `oncall incidents` and `oncall verify <id>`.
import { listIncidents } from '../engine/incidents.js';
import { assertIncidentId } from '../journal/ids.js';
import { journalPath } from '../journal/paths.js';
import { verifyJournal } from '../journal/reader.js';
import { stateRoot } from '../paths.js';
import { formatTable, parseCommandArgs, say, usageError } from './io.js';
import { isTTY, type CommandIO } from '../core/io.js';
import { jsonText, visible } from '../core/terminal-text.js';

const INCIDENTS_USAGE = 'oncall incidents [--open] [--json]';
const VERIFY_USAGE = 'oncall verify <incident-id> [--json]';

export async function incidentsCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, open: { type: 'boolean' }, 'state-dir': { type: 'string' } }, io, INCIDENTS_USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`, INCIDENTS_USAGE);
  const values = parsed.values as { json?: boolean; open?: boolean; 'state-dir'?: string };
  const root = values['state-dir'] ?? stateRoot(io.env);
  const { incidents, unreadable } = await listIncidents(root);
  const shown = values.open ? incidents.filter((i) => i.status === 'open') : incidents;
  for (const u of unreadable) say(io, `oncall: cannot read incident ${u.id}: ${u.error}\n`);
  if (values.json) {
    io.stdout.write(`${jsonText(shown, 2)}\n`);
    return 0;
  }
  if (!shown.length) {
    say(io, `no incidents under ${root}\n`);
    return 0;
  }
  const now = Date.now();
  const rows = shown.map((i) => [
    i.id,
    i.status + (i.inDoubt ? ' (in doubt)' : ''),
    i.mode === 'drill' ? 'DRILL' : 'LIVE',
    i.severity,
    i.runbook ?? '-',
    `${i.stepsDone}/${i.stepsTotal}`,
    i.openedAt ? age(now - Date.parse(i.openedAt)) : '-',
    i.title,
  ]);
  io.stdout.write(formatTable(['ID', 'STATUS', 'MODE', 'SEV', 'RUNBOOK', 'STEPS', 'AGE', 'TITLE'], rows, isTTY(io.stdout)));
  return 0;
}

export async function verifyCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, 'state-dir': { type: 'string' } }, io, VERIFY_USAGE);
  if (!parsed) return 2;
  const positionals = parsed.positionals;
  const values = parsed.values as { json?: boolean; 'state-dir'?: string };
  if (positionals.length !== 1) return usageError(io, 'name one incident', VERIFY_USAGE);
  try {
    assertIncidentId(positionals[0]!);
  } catch (err) {
    return usageError(io, (err as Error).message, VERIFY_USAGE);
  }
  const id = positionals[0]!;
  const file = journalPath(values['state-dir'] ?? stateRoot(io.env), id);
  let result;
  try {
    result = await verifyJournal(file);
  } catch (err) {
    say(io, `oncall: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.json) io.stdout.write(`${jsonText({ incident: id, file, ...result })}\n`);
  else if (result.ok) {
    const end = result.torn
      ? 'a torn last record from a crash is ignored'
      : result.closed
        ? 'it ends where its writer closed it'
        : 'its writer did not close it: it is being written, or oncall stopped without closing it (a crash resumes)';
    io.stdout.write(`${id}: ${result.count} records, hash chain intact; ${end}\n`);
  }
  // The reason may quote the broken line (JSON.parse's message does): shown, never obeyed.
  else io.stdout.write(`${id}: BROKEN at line ${result.firstBad.line}${result.firstBad.seq !== null ? ` (seq ${result.firstBad.seq})` : ''}: ${visible(result.firstBad.reason)}\n`);
  return result.ok ? 0 : 1;
}

function age(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return 'now';
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}
