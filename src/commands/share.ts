// Team incidents (#19) on the command line: --share for run/resume/drill, and `oncall join` and
// `oncall follow`, which mirror a shared incident on this machine and show every responder's
// records as they arrive. `join` also takes each line on its stdin as a note.
import { createInterface } from 'node:readline';
import type { CommandIO } from '../core/io.js';
import { operatorName } from '../core/operator.js';
import type { AnyEvent } from '../journal/events.js';
import type { AnyRecord } from '../journal/record.js';
import { Redactor } from '../journal/redact.js';
import { JournalWriter } from '../journal/writer.js';
import { progressLine } from '../export/lines.js';
import { liveProvidersFor } from '../providers/live.js';
import type { AwsProvider } from '../providers/aws/provider.js';
import { SharedJournal, who } from '../share/journal.js';
import { connectShare, shareHook, shareLocation, syncMirror, type Share } from '../share/setup.js';
import { StateDirError, stateRoot } from '../paths.js';
import type { ShareHook } from '../engine/session.js';
import { LIVE_WORLD_FLAGS, liveWorld, parseCommandArgs, say, usageError } from './io.js';

/** The flag every command that can share takes. */
export const SHARE_FLAG = { share: { type: 'string' } } as const;

/**
 * The store this run shares the incident on (--share, $ONCALL_SHARE; the config file, #21, is the
 * third source: pass it as `configured`), connected and probed; undefined when not sharing.
 */
export async function sharing(values: Record<string, unknown>, io: CommandIO, operator: string, aws: AwsProvider | undefined, configured?: string): Promise<Share | undefined> {
  const url = shareLocation(typeof values.share === 'string' ? values.share : undefined, io.env, configured);
  if (!url) return undefined;
  return connectShare({ url, operator, ...(aws ? { aws } : {}) });
}

/** The session hook for a share (or undefined), and the resume side: the local mirror brought up to date first. */
export async function shareForSession(share: Share | undefined, resume?: { root: string; id: string }): Promise<ShareHook | undefined> {
  if (!share) return undefined;
  if (resume) await syncMirror(resume.root, resume.id, share);
  return shareHook(share);
}

const FLAGS = {
  ...SHARE_FLAG,
  ...LIVE_WORLD_FLAGS,
  'state-dir': { type: 'string' },
  operator: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  'until-finished': { type: 'boolean', default: false },
} as const;

/** `oncall follow <incident> --share s3://…`: every responder's records, live, until Ctrl+C (or the run finishes). */
export function followCommand(args: string[], io: CommandIO): Promise<number> {
  return attend(args, io, 'follow');
}

/** `oncall join <incident> --share s3://…`: follow, and each line on stdin is a note (until EOF). */
export function joinCommand(args: string[], io: CommandIO): Promise<number> {
  return attend(args, io, 'join');
}

async function attend(args: string[], io: CommandIO, mode: 'follow' | 'join'): Promise<number> {
  const usage = `oncall ${mode} <incident> --share s3://bucket/prefix [--json] [--quiet]${mode === 'follow' ? ' [--until-finished]' : ''}`;
  const parsed = parseCommandArgs(args, FLAGS, io, usage);
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, `name the incident to ${mode}`, usage);
  const id = positionals[0]!;
  const operator = operatorName(values.operator as string | undefined, io.env);
  const json = Boolean(values.json);
  const quiet = Boolean(values.quiet);
  const show = (r: AnyRecord | AnyEvent) => {
    if (json) io.stdout.write(`${JSON.stringify(r)}\n`);
    else if (!quiet) {
      const line = progressLine(r as AnyEvent);
      const by = (r as AnyRecord).by;
      if (line !== undefined) io.stdout.write(`${by ? `[${by.operator}@${by.host}] ` : ''}${line}\n`);
    }
  };
  let journal: SharedJournal;
  let finished = false;
  try {
    if (!shareLocation(values.share as string | undefined, io.env)) return usageError(io, `${mode} needs the store the incident is shared on: --share s3://bucket/prefix (or $ONCALL_SHARE)`, usage);
    const root = (values['state-dir'] as string | undefined) ?? stateRoot(io.env);
    const providers = liveProvidersFor({ world: liveWorld(values, io.env), env: io.env, onWarning: (m) => say(io, `aws: ${m}\n`) });
    // Following writes nothing: no probe. Joining writes notes: the store is checked first.
    const share = (await connectShare({ url: shareLocation(values.share as string | undefined, io.env)!, operator, aws: providers.aws, probe: mode === 'join' }))!;
    const mirrored = await syncMirror(root, id, share);
    const redactor = new Redactor();
    const writer = await JournalWriter.open(root, id, { redactor, onRecord: (r) => {
      if (r.type === 'run.finished') finished = true;
      if (!quiet || json) show(r);
    } });
    journal = await SharedJournal.attach({
      store: share.store,
      writer,
      redactor,
      author: share.author,
      onRemote: (r) => {
        if (r.type === 'run.finished') finished = true;
        show(r);
      },
    });
    say(io, `${mode === 'join' ? 'joined' : 'following'} incident ${id} on ${share.store.url} as ${who(share.author)} (${mirrored.records} records mirrored in ${journal.path})${mode === 'join' ? '; each line you type is a note, Ctrl+D to leave' : '; Ctrl+C to stop'}\n`);
  } catch (err) {
    if (err instanceof StateDirError) return usageError(io, err.message);
    say(io, `oncall: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof Error && /not an incident id|is not on|not an S3 location|names no store/.test(err.message) ? 2 : 1;
  }
  journal.follow({ onError: (err) => say(io, `oncall: ${err.message} (still trying)\n`) });
  let stop!: (code: number) => void;
  const stopped = new Promise<number>((r) => (stop = r));
  const onSignal = () => stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let timer: NodeJS.Timeout | undefined;
  if (mode === 'follow' && values['until-finished']) {
    const check = () => (finished ? stop(0) : (timer = setTimeout(check, 200)));
    check();
  }
  if (mode === 'join') {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    const pending: Promise<unknown>[] = [];
    let failed: Error | undefined;
    rl.on('line', (text) => {
      if (!text.trim()) return;
      pending.push(journal.append('note.added', { text, by: operator }).catch((err: Error) => (failed ??= err)));
    });
    rl.on('close', () => {
      void Promise.all(pending).then(() => {
        if (failed) say(io, `oncall: ${failed.message}\n`);
        stop(failed ? 1 : 0);
      });
    });
  }
  const code = await stopped;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await journal.close().catch((err: Error) => say(io, `oncall: ${err.message}\n`));
  return code;
}
