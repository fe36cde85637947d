// The migration as every secrets step kind sees it: the .env files read with dotenv, each key
// classified, every value registered with the redactor, and the plan (which secrets, which names,
// which tags) built from the step's parameters. Each step kind rebuilds it from the files: parsing
// is cheap, and it keeps values out of step results and so out of the journal entirely.
import { basename, isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { packageRoot } from '../../paths.js';
import { StepFailure } from '../../core/failure.js';
import { splitList } from '../files.js';
import { applyOverrides, classify, parseOverrides, RECLASSIFY_RE, type Classification, type KeyClass } from './classify.js';
import { fingerprint, requestToken, tokenKey, tokenKeyFile } from './crypto.js';
import { readEnvFile, type EnvFile, type LineFact } from './envfile.js';

/** SecretString: 1 to 65,536 bytes (API_CreateSecret). */
export const MAX_SECRET_BYTES = 65_536;
export const NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const TAG_VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const TAG_KEY_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const PART_RE = /^[A-Za-z0-9_+=.@-]{1,128}$/;

// ── parameters shared by the secrets step kinds ──────────────────────────────────────────────

export const sourceSchema = z
  .object({
    files: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('The .env file(s): a path, a comma-separated list, or a list. With several, the first value of a key wins, as in dotenv'),
    override: z.boolean().default(false).describe("Later files win over earlier ones (dotenv's override: true)"),
    reclassify: z
      .union([z.string(), z.array(z.string())])
      .default('')
      .refine((v) => (Array.isArray(v) ? v : [v]).every((s) => RECLASSIFY_RE.test(s)), { message: 'use +KEY (a secret) or -KEY (plain config), comma-separated; * matches any characters' })
      .describe('Operator corrections to the classification: +KEY makes a key a secret, -KEY plain config'),
  })
  .strict();

export const targetSchema = z
  .object({
    app: z.string().regex(PART_RE, { message: 'letters, digits and _+=.@- only' }).describe('The application, e.g. payments-api'),
    env: z.string().regex(PART_RE, { message: 'letters, digits and _+=.@- only' }).describe('The environment, e.g. prod'),
    layout: z.enum(['json', 'per-key']).default('json').describe('json: one JSON secret per app and environment; per-key: one secret per key'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,400}$/, { message: 'letters, digits and /_+=.@- only' })
      .optional()
      .describe('Name prefix; default <app>/<env>'),
    json_name: z.string().regex(PART_RE).default('app').describe("The JSON secret's last name part: <prefix>/<json_name>"),
    owner: z.string().max(256).default('').describe('Tagged as owner'),
    kms_key_id: z.string().max(2048).default('').describe('A customer managed KMS key (id, ARN or alias); empty: aws/secretsmanager'),
    description: z.string().max(2048).optional().describe('Default: where the values came from'),
    tags: z.record(z.string(), z.string()).default({}).describe('More tags (never secret material: CloudTrail records them)'),
  })
  .strict();

export type SourceParams = z.infer<typeof sourceSchema>;
export type TargetParams = z.infer<typeof targetSchema>;

export function fileList(files: SourceParams['files']): string[] {
  return splitList(files);
}

export function prefixOf(t: TargetParams): string {
  return t.prefix ?? `${t.app}/${t.env}`;
}

/** The JSON secret's name, known without reading anything (for describe()). */
export function describeTarget(t: TargetParams): string {
  return t.layout === 'json' ? `${prefixOf(t)}/${t.json_name}` : `${prefixOf(t)}/<KEY>`;
}

// ── the migration in memory ──────────────────────────────────────────────────────────────────

export interface Entry {
  key: string;
  /** The effective value (what the app sees). In memory only: never returned, logged or thrown. */
  value: string;
  class: KeyClass;
  reasons: string[];
  byOperator: boolean;
  /** The file and line the effective value comes from. */
  file: string;
  line: number;
  /** Registered with the redactor (false: too short or too common to redact safely). */
  redacted: boolean;
}

export interface PlannedSecret {
  name: string;
  layout: 'json' | 'per-key';
  /** The keys it holds (one for per-key). */
  keys: string[];
  /** The SecretString to write. In memory only. */
  content: string;
  /** For JSON secrets, each field's value; for per-key, the one value. In memory only. */
  fields: Record<string, string>;
  fingerprint: string;
  fieldFingerprints: Record<string, string>;
  token: string;
  tags: { Key: string; Value: string }[];
  description: string;
  kmsKeyId?: string;
}

export interface Migration {
  files: EnvFile[];
  entries: Entry[];
  facts: LineFact[];
  /** Keys named by reclassify that no file defines. */
  unusedOverrides: string[];
  secrets: PlannedSecret[];
  /** Secret keys that cannot go to Secrets Manager as planned, and why (shown, never silent). */
  excluded: { key: string; why: string }[];
  /** What stops the plan (a secret too large, a bad name, secret material in a name or tag). */
  problems: string[];
  /** What a human should know about the plan (a name that confuses partial-ARN matching…). */
  notes: string[];
  prefix?: string;
  tags?: { Key: string; Value: string }[];
  /**
   * Replaces every secret value in a piece of metadata with [redacted:KEY], for showing metadata
   * the operator supplied (a tag, a description) that turned out to hold secret material.
   */
  scrub(text: string): string;
}

/** Relative paths are the operator's (the working directory); drills also find the bundled examples. */
export function resolveEnvPath(path: string, mode: StepContext['mode']): string {
  if (isAbsolute(path)) return path;
  const here = resolve(process.cwd(), path);
  if (mode !== 'drill' || existsSync(here)) return here;
  try {
    const bundled = resolve(packageRoot(), path);
    return existsSync(bundled) ? bundled : here;
  } catch {
    return here;
  }
}

/** The 0600 copy the backup step makes beside the .env: <file>.oncall-backup-<incident>. */
export function backupPath(resolved: string, incidentId: string): string {
  return `${resolved}.oncall-backup-${incidentId}`;
}

/**
 * The migration's public metadata (names, tags, description, region): strings CloudTrail records
 * and oncall shows. `contains(v)` asks whether a value occurs inside any of them, through an index
 * of 4-character pieces, so 10,000 values are checked against 10,000 names in milliseconds.
 */
export class PublicText {
  private readonly index = new Map<string, number[]>();
  constructor(private readonly strings: string[]) {
    strings.forEach((s, i) => {
      for (let k = 0; k + 4 <= s.length; k++) {
        const g = s.slice(k, k + 4);
        const list = this.index.get(g);
        if (!list) this.index.set(g, [i]);
        else if (list.at(-1) !== i) list.push(i);
      }
    });
  }
  contains(value: string): boolean {
    if (value.length < 4) return this.strings.some((s) => s.includes(value));
    return (this.index.get(value.slice(0, 4)) ?? []).some((i) => this.strings[i]!.includes(value));
  }
}

const NO_PUBLIC = new PublicText([]);

/** Values that must never be registered: the redactor replaces substrings everywhere (see redacted). */
const COMMON = /^(true|false|null|yes|no|on|off)$/i;
/** Plain configuration values shorter than this are not registered (ports, flags, environment names). */
export const PLAIN_MIN = 12;
/** No value shorter than this is registered: a redacted "1" would blank digits in every record. */
export const SECRET_MIN = 4;

/**
 * Registers a value with the redactor, unless redacting it would wreck every record (a secret of
 * "1", "true" or "prod" would blank out ordinary text, numbers and whole journal records: the
 * journal withholds a payload a redaction breaks). Plain configuration is registered when it is
 * long enough to be worth it and is not part of the migration's own public metadata (names, tags).
 */
export function guardValue(ctx: Pick<StepContext, 'secret'>, value: string, label: string, cls: KeyClass, publicText: PublicText = NO_PUBLIC): boolean {
  if (value.length < SECRET_MIN || COMMON.test(value) || /^\d{1,5}$/.test(value)) return false;
  if (cls === 'plain' && (value.length < PLAIN_MIN || publicText.contains(value))) return false;
  ctx.secret(value, label);
  return true;
}

/** A value read back from Secrets Manager: the whole string, and each field of a JSON object. */
export function guardSecretString(ctx: Pick<StepContext, 'secret'>, name: string, text: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never surfaced: V8's message quotes the input. The whole text is the secret.
    guardValue(ctx, text, labelOf(name), 'secret');
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    guardValue(ctx, text, labelOf(name), 'secret');
    return undefined;
  }
  // A JSON object: each field is registered (with its escaped forms); the document as a whole is
  // registered only while small (thousands of fields would make one enormous redaction pattern).
  if (text.length <= 4096) guardValue(ctx, text, labelOf(name), 'secret');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    guardValue(ctx, s, k, classify(k, s).class);
    fields[k] = s;
  }
  return fields;
}

export function labelOf(name: string): string {
  return name.replace(/[^\w.:-]/g, '_');
}

export interface LoadOptions {
  /** Where the secrets go: names and tags are public metadata (see guardValue). */
  target?: TargetParams;
  /** Build the plan too (names, contents, tokens); needs target. Default: when a target is given. */
  plan?: boolean;
}

/**
 * Reads the files, classifies every key, registers every value, and (with a target) plans the
 * secrets. Between reading a file and registering its values nothing is logged, returned or thrown.
 */
export async function loadMigration(ctx: StepContext, source: SourceParams, opts: LoadOptions = {}): Promise<Migration> {
  const paths = fileList(source.files);
  if (paths.length === 0) throw new StepFailure('name at least one .env file');
  let overrides: ReturnType<typeof parseOverrides>;
  try {
    overrides = parseOverrides(source.reclassify);
  } catch (err) {
    throw new StepFailure((err as Error).message);
  }

  const files: EnvFile[] = [];
  for (const p of paths) {
    let resolved = resolveEnvPath(p, ctx.mode);
    // After the .env is removed, this incident's backup of it still tells what was migrated.
    const backup = backupPath(resolved, ctx.incidentId);
    if (!existsSync(resolved) && existsSync(backup)) {
      ctx.log(`${p} is gone; reading this incident's backup of it (${backup})`, 'log');
      resolved = backup;
    }
    files.push(await readEnvFile(p, resolved));
  }

  // Effective values across files: the first file wins unless override (dotenv's rules).
  const effective = new Map<string, { value: string; file: EnvFile }>();
  const crossFacts: LineFact[] = [];
  const lastLine = new Map<EnvFile, Map<string, number>>(files.map((f) => [f, new Map(f.occurrences.map((o) => [o.key, o.line]))]));
  for (const f of files) {
    for (const [key, value] of Object.entries(f.parsed)) {
      const seen = effective.get(key);
      const line = lastLine.get(f)!.get(key) ?? 1;
      if (!seen) {
        effective.set(key, { value, file: f });
      } else if (source.override) {
        crossFacts.push({ file: f.path, line, key, code: 'overrides-earlier-file', severity: 'warning', message: `${key} is also in ${seen.file.path}; with override, this later value wins` });
        effective.set(key, { value, file: f });
      } else {
        crossFacts.push({ file: f.path, line, key, code: 'shadowed-by-earlier-file', severity: 'warning', message: `${key} is also in ${seen.file.path}, whose value wins (the first file wins unless override)` });
      }
    }
  }

  const entries: Entry[] = [];
  for (const [key, { value, file }] of effective) {
    const c: Classification = applyOverrides(key, classify(key, value), overrides);
    const line = lastLine.get(file)!.get(key) ?? 1;
    entries.push({ key, value, class: c.class, reasons: c.reasons, byOperator: c.byOperator === true, file: file.path, line, redacted: false });
  }
  const prefix = opts.target ? prefixOf(opts.target) : undefined;
  const tags = opts.target ? tagsFor(opts.target, files, ctx.incidentId) : undefined;
  const publicText = new PublicText([
    prefix ?? '',
    ...entries.map((e) => (prefix ? `${prefix}/${e.key}` : e.key)),
    ...(prefix && opts.target ? [`${prefix}/${opts.target.json_name}`] : []),
    ...(tags ?? []).flatMap((t) => [t.Key, t.Value]),
    opts.target?.description ?? '',
    ctx.providers.aws?.region ?? '',
  ]);
  // Every value, now, before anything else is done with it. Values of keys that appear only in a
  // shadowed duplicate or an earlier, overridden file are registered too: they are still secrets.
  const byKey = new Map(entries.map((e) => [e.key, e]));
  for (const e of entries) e.redacted = guardValue(ctx, e.value, e.key, e.class, publicText);
  for (const f of files) {
    for (const [key, value] of Object.entries(f.parsed)) {
      const e = byKey.get(key);
      if (e && e.value !== value) guardValue(ctx, value, key, e.class, publicText);
    }
    for (const [key, values] of f.shadowed) for (const v of values) guardValue(ctx, v, key, byKey.get(key)?.class ?? 'secret', publicText);
  }

  const facts = [...files.flatMap((f) => f.facts), ...crossFacts];
  for (const e of entries) {
    if (e.class === 'secret' && !e.redacted && e.value !== '') {
      facts.push({
        file: e.file,
        line: e.line,
        key: e.key,
        code: 'unredactable',
        severity: 'human',
        message: `${e.key}'s value is too short or too common for oncall to redact safely (it could blank out ordinary text); it is still migrated, but it is no real secret: rotate it`,
      });
    }
  }
  const unusedOverrides = overrides.filter((o) => !o.used).map((o) => o.pattern);
  // Only secrets that turned up in metadata need scrubbing from what is shown (the plan refuses them).
  const secretValues = entries.filter((e) => e.class === 'secret' && e.redacted && publicText.contains(e.value)).sort((a, b) => b.value.length - a.value.length);
  const scrub = (text: string) => secretValues.reduce((acc, e) => (acc.includes(e.value) ? acc.split(e.value).join(`[redacted:${e.key}]`) : acc), text);
  const m: Migration = { files, entries, facts, unusedOverrides, secrets: [], excluded: [], problems: [], notes: [], ...(prefix ? { prefix } : {}), ...(tags ? { tags } : {}), scrub };
  if (opts.target && opts.plan !== false) plan(ctx, m, opts.target, publicText);
  return m;
}

function tagsFor(t: TargetParams, files: EnvFile[], incidentId: string): { Key: string; Value: string }[] {
  const source = files.map((f) => basename(f.path)).join(',');
  const base: Record<string, string> = {
    app: t.app,
    env: t.env,
    ...(t.owner ? { owner: t.owner } : {}),
    source: 'dotenv-migration',
    'source-file': source.length > 256 ? `${source.slice(0, 255)}…` : source,
    'migration-id': incidentId,
    ...t.tags,
  };
  return Object.entries(base).map(([Key, Value]) => ({ Key, Value }));
}

/** The tag that marks a secret as created by this migration (used by resume and rollback). */
export const MIGRATION_TAG = 'migration-id';

/**
 * The staging label a new version written by this incident carries beside AWSCURRENT: it marks
 * the version as this migration's, for resume and rollback, and stays as an audit trail.
 */
export function versionLabel(incidentId: string): string {
  return `oncall-${incidentId}`;
}

function plan(ctx: StepContext, m: Migration, t: TargetParams, publicText: PublicText): void {
  const prefix = prefixOf(t);
  const key = tokenKey(ctx.mode, tokenKeyFile(ctx.stateRoot));
  const secrets = m.entries.filter((e) => e.class === 'secret');
  const description = t.description ?? `Migrated from ${m.files.map((f) => basename(f.path)).join(', ')} by oncall (${ctx.incidentId})`;
  const kms = t.kms_key_id.trim() || undefined;
  const tags = m.tags!;
  for (const tag of tags) {
    if (!TAG_KEY_RE.test(tag.Key) || tag.Key.toLowerCase().startsWith('aws:')) m.problems.push(`tag key '${tag.Key}' is not allowed (1–128 letters, digits, spaces and _.:/=+-@; not aws:)`);
    if (!TAG_VALUE_RE.test(tag.Value)) m.problems.push(`the value of tag '${tag.Key}' is not allowed (up to 256 letters, digits, spaces and _.:/=+-@)`);
  }

  const make = (name: string, layout: PlannedSecret['layout'], fields: Record<string, string>, content: string): PlannedSecret => ({
    name,
    layout,
    keys: Object.keys(fields),
    content,
    fields,
    fingerprint: fingerprint(content),
    fieldFingerprints: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fingerprint(v)])),
    token: requestToken(key, name, content),
    tags,
    description,
    ...(kms ? { kmsKeyId: kms } : {}),
  });

  if (t.layout === 'json') {
    if (secrets.length) {
      const name = `${prefix}/${t.json_name}`;
      const fields = Object.fromEntries([...secrets].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => [e.key, e.value]));
      // Not registered as a whole: every field is (with its JSON-escaped forms), and a document of
      // thousands of keys would be one enormous redaction pattern.
      const content = JSON.stringify(fields);
      const empty = secrets.filter((e) => e.value === '').map((e) => e.key);
      if (empty.length) m.notes.push(`${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty: kept as "" field${empty.length === 1 ? '' : 's'} of the JSON secret, which is what the app sees today`);
      if (Buffer.byteLength(content, 'utf8') > MAX_SECRET_BYTES) {
        m.problems.push(`the JSON secret ${name} would be larger than Secrets Manager's 65,536-byte limit: use layout per-key, or move large keys (certificates, keys) into secrets of their own`);
      }
      m.secrets.push(make(name, 'json', fields, content));
    }
  } else {
    for (const e of secrets) {
      const name = `${prefix}/${e.key}`;
      if (e.value === '') {
        m.excluded.push({ key: e.key, why: 'empty: Secrets Manager needs at least 1 byte for a secret of its own; keep it in config, or use the json layout, where it can be an empty field' });
        continue;
      }
      if (Buffer.byteLength(e.value, 'utf8') > MAX_SECRET_BYTES) {
        m.problems.push(`${e.key} is larger than Secrets Manager's 65,536-byte limit for one secret; store it elsewhere (S3 with SSE-KMS) and keep its location in the secret`);
        continue;
      }
      m.secrets.push(make(name, 'per-key', { [e.key]: e.value }, e.value));
    }
  }

  for (const s of m.secrets) {
    if (!NAME_RE.test(s.name)) m.problems.push(`'${s.name}' is not a valid secret name (1–512 of letters, digits and /_+=.@-)`);
    if (/-[A-Za-z0-9]{6}$/.test(s.name)) {
      m.notes.push(`${s.name} ends with '-' and six characters, which Secrets Manager confuses with the random ARN suffix in partial-ARN matching; consider another name`);
    }
  }
  // Secret material must never be in metadata: CloudTrail records names, tags and descriptions.
  const meta = new PublicText([description]);
  for (const e of secrets) {
    if (e.redacted && (publicText.contains(e.value) || meta.contains(e.value))) m.problems.push(`the value of ${e.key} appears in the secret names, tags or description; secret material must never be in metadata (CloudTrail records it)`);
  }
}

