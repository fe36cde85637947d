// Push: an incident's timeline to where the team reads it, again and again during an incident,
// sending only what is new. Two targets for now:
//   webhook  every timeline event, one POST each, as a versioned JSON document (PUSH_VERSION),
//            with its dedup key in the body and in an Idempotency-Key header;
//   slack    an incoming webhook: a Block Kit summary (status, severity, milestones), posted when
//            the status or a milestone is new.
// Where to push comes from the environment only (a URL or token in argv lands in shell history
// and `ps`): ONCALL_WEBHOOK_URL (+ ONCALL_WEBHOOK_TOKEN, sent as a bearer token) and
// ONCALL_SLACK_WEBHOOK_URL. Both are registered as secrets: no report or error shows them.
// What was sent is remembered beside the journal (pushed-<target>.keys, one key a line, appended
// after each success), so pushing again sends only what is new, and a push cut short resumes.
// A 429 is retried after its Retry-After; a 5xx or a network error after a backoff; anything
// else stops the push (later events are not sent out of order) and is reported.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { visibleDeep } from '../core/terminal-text.js';
import { incidentDir } from '../journal/paths.js';
import { Redactor } from '../journal/redact.js';
import { VERSION } from '../version.js';
import { formatUtc } from './format.js';
import type { Timeline, TimelineEvent } from './schema.js';
import { milestoneSource } from './text.js';

export const PUSH_TARGETS = ['webhook', 'slack'] as const;
export type PushTarget = (typeof PUSH_TARGETS)[number];
export const PUSH_VERSION = 1;

export function isPushTarget(t: string): t is PushTarget {
  return (PUSH_TARGETS as readonly string[]).includes(t);
}

/** The environment variables a target reads. */
export const TARGET_ENV: Record<PushTarget, { url: string; token?: string }> = {
  webhook: { url: 'ONCALL_WEBHOOK_URL', token: 'ONCALL_WEBHOOK_TOKEN' },
  slack: { url: 'ONCALL_SLACK_WEBHOOK_URL' },
};

/** One thing to send: its dedup key, a line for the report, and the JSON body. */
export interface PushItem {
  key: string;
  label: string;
  body: unknown;
}

export interface PushResult {
  key: string;
  label: string;
  ok: boolean;
  /** 'sent', 'already sent', 'dry run', or why it failed / was not sent. */
  detail: string;
}

export interface PushOptions {
  env: Record<string, string | undefined>;
  dryRun?: boolean;
  /** One line per item as it is settled. */
  report?: (r: PushResult) => void;
  /** Waits between retries; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  /** Attempts per item (first try included). */
  attempts?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * An event's dedup key: a hash of what identifies the journal entry (incident, seq, type, time,
 * actor), not of its wording, so a newer oncall that words an event differently does not send it
 * again, and a different journal under the same id does not match.
 */
export function eventKey(incident: string, e: TimelineEvent): string {
  return sha256(JSON.stringify([incident, e.seq, e.kind, e.occurred_at, e.actor]));
}

/** What a target would receive for this timeline, all of it; the state file decides what is new. */
export function pushItems(tl: Timeline, target: PushTarget): PushItem[] {
  if (target === 'webhook') {
    const incident = { id: tl.incident.id, title: tl.incident.title, severity: tl.incident.severity, mode: tl.mode, status: tl.incident.status };
    return tl.events.map((e) => {
      const key = eventKey(tl.incident.id, e);
      return {
        key,
        label: `#${e.seq} ${e.title}`,
        body: { schema: 'oncall.push.event', version: PUSH_VERSION, timeline_version: tl.version, generator: tl.generator, incident, dedup_key: key, event: e },
      };
    });
  }
  // Slack: people read it, so text from outside oncall is shown, never acted on (as in Markdown).
  const v = visibleDeep(tl);
  const state = JSON.stringify([v.incident.status, v.incident.severity, v.milestones.map((m) => [m.milestone, m.at, m.source])]);
  return [{ key: sha256(`slack-summary:${v.incident.id}:${state}`), label: `summary: ${v.incident.status}, ${v.milestones.map((m) => m.milestone).join(', ') || 'no milestones'}`, body: slackMessage(v) }];
}

/** Slack mrkdwn: only &, < and > are special (they make links and mentions). */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Section text is limited to 3000 characters: longer text goes into several sections, whole. */
function sections(text: string): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < text.length || i === 0; i += 3000) out.push({ type: 'section', text: { type: 'mrkdwn', text: text.slice(i, i + 3000) || ' ' } });
  return out;
}

export function slackMessage(tl: Timeline): { text: string; blocks: unknown[] } {
  const inc = tl.incident;
  const drill = tl.mode === 'drill' ? '[DRILL] ' : '';
  const headline = `${drill}${inc.title || inc.id}`;
  const milestones = tl.milestones.length
    ? tl.milestones.map((m) => `*${m.milestone}* ${formatUtc(m.at)} UTC (${milestoneSource(m)})`).join('\n')
    : 'no milestones yet';
  const summary = [`*Incident* \`${inc.id}\`  *Severity* ${inc.severity}  *Status* ${inc.status}${inc.failed_step ? ` at ${inc.failed_step}` : ''}`, inc.outcome_summary ?? ''].filter(Boolean).join('\n');
  return {
    // The notification text (and what clients without blocks show).
    text: mrkdwn(`${headline}: ${inc.status}`),
    blocks: [
      // A header is plain text of at most 150 characters: the full title is in the section below.
      { type: 'header', text: { type: 'plain_text', text: headline.length > 150 ? `${headline.slice(0, 149)}…` : headline } },
      ...sections(mrkdwn(`${headline}\n${summary}`)),
      ...sections(mrkdwn(milestones)),
      { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(`oncall ${VERSION} · ${tl.events.length} journal events · full timeline: oncall export ${inc.id}`) }] },
    ],
  };
}

export function statePath(root: string, id: string, target: PushTarget): string {
  return join(incidentDir(root, id), `pushed-${target}.keys`);
}

function readSent(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  return new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
}

export class PushConfigError extends Error {}

/** Pushes what is new; returns one result per item (sent, already sent, failed or not sent). */
export async function pushTimeline(root: string, tl: Timeline, target: PushTarget, opts: PushOptions): Promise<PushResult[]> {
  const envNames = TARGET_ENV[target];
  const url = opts.env[envNames.url];
  const token = envNames.token ? opts.env[envNames.token] : undefined;
  if (!opts.dryRun && !url) throw new PushConfigError(`set ${envNames.url} to push to ${target} (it is read from the environment only, never from a flag)`);
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new PushConfigError(`${envNames.url} is not a URL`);
    }
  }
  const secrets = new Redactor();
  if (url) secrets.add(url, envNames.url);
  if (token) secrets.add(token, envNames.token);
  const hide = (s: string) => secrets.redact(s);

  const file = statePath(root, tl.incident.id, target);
  const sent = readSent(file);
  const results: PushResult[] = [];
  const settle = (r: PushResult) => {
    results.push(r);
    opts.report?.(r);
  };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = opts.fetch ?? fetch;
  const attempts = opts.attempts ?? 5;
  let stopped: string | null = null;
  for (const item of pushItems(tl, target)) {
    if (sent.has(item.key)) {
      settle({ key: item.key, label: item.label, ok: true, detail: 'already sent' });
      continue;
    }
    if (opts.dryRun) {
      settle({ key: item.key, label: item.label, ok: true, detail: 'dry run: would send' });
      continue;
    }
    if (stopped) {
      settle({ key: item.key, label: item.label, ok: false, detail: `not sent: ${stopped}` });
      continue;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': `oncall/${VERSION}` };
    if (target === 'webhook') headers['idempotency-key'] = item.key;
    if (token) headers.authorization = `Bearer ${token}`;
    const why = await send(doFetch, url!, headers, JSON.stringify(item.body), attempts, sleep);
    if (why === null) {
      appendFileSync(file, `${item.key}\n`, { mode: 0o600 });
      sent.add(item.key);
      settle({ key: item.key, label: item.label, ok: true, detail: 'sent' });
    } else {
      stopped = `an earlier one failed`;
      settle({ key: item.key, label: item.label, ok: false, detail: hide(why) });
    }
  }
  return results;
}

/** One item, with retries; null when it was accepted, else why not. */
async function send(doFetch: typeof fetch, url: string, headers: Record<string, string>, body: string, attempts: number, sleep: (ms: number) => Promise<void>): Promise<string | null> {
  let why = '';
  for (let i = 1; i <= attempts; i++) {
    let wait: number;
    try {
      const res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000), redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return null;
      why = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status === 429) {
        const after = Number(res.headers.get('retry-after'));
        wait = Number.isFinite(after) && after >= 0 ? Math.min(after, 60) * 1000 : 1000 * 2 ** (i - 1);
      } else if (res.status >= 500) {
        wait = 500 * 2 ** (i - 1);
      } else {
        return `${why}: not retried`;
      }
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
      wait = 500 * 2 ** (i - 1);
    }
    if (i < attempts) await sleep(wait);
  }
  return `${why} (after ${attempts} attempts)`;
}
