// Shared pieces of the etcd step kinds: parameter shapes (endpoints, TLS files, binaries), the
// etcdctl global flags, exact JSON (etcd prints 64-bit ids as bare numbers), and versions.
import { z } from 'zod';
import { duration } from '../../runbook/schema.js';
import { ABS_PATH_RE, listOf } from '../files.js';

export const ENDPOINT_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
export const endpoint = z.string().regex(ENDPOINT_RE, { message: 'must be an endpoint like https://127.0.0.1:2379' });
export const endpointList = listOf(endpoint, 1).describe('etcd client URLs, a list or comma-separated: https://127.0.0.1:2379');

/** A TLS file: an absolute path, or empty for none (a plain-HTTP etcd, as in tests). */
const tlsFile = z
  .string()
  .refine((v) => v === '' || ABS_PATH_RE.test(v), { message: 'must be an absolute path, or empty for none' })
  .default('');

export const tlsShape = {
  cacert: tlsFile.describe('CA bundle that signed the etcd server certificate (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)'),
  cert: tlsFile.describe('Client certificate (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.crt)'),
  key: tlsFile.describe('Client key (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.key)'),
};

/** A program: a name found on PATH or an absolute path. */
export const program = (dflt: string) =>
  z
    .string()
    .regex(/^(\/)?[\w.+-]+(\/[\w.+-]+)*$/, { message: 'must be a program name or an absolute path' })
    .default(dflt);

export const timeouts = {
  dial_timeout: duration.default('2s').describe('etcdctl --dial-timeout'),
  command_timeout: duration.default('5s').describe('etcdctl --command-timeout'),
};

export interface ClientFlags {
  cacert: string;
  cert: string;
  key: string;
  dial_timeout?: string;
  command_timeout?: string;
}

/** etcdctl's global flags, each one argument (`--flag=value`): TLS files only when given. */
export function clientFlags(endpoints: string[], p: ClientFlags): string[] {
  const out = [`--endpoints=${endpoints.join(',')}`];
  if (p.cacert) out.push(`--cacert=${p.cacert}`);
  if (p.cert) out.push(`--cert=${p.cert}`);
  if (p.key) out.push(`--key=${p.key}`);
  if (p.dial_timeout) out.push(`--dial-timeout=${p.dial_timeout}`);
  if (p.command_timeout) out.push(`--command-timeout=${p.command_timeout}`);
  return out;
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as decimal strings. etcd prints member and
 * cluster ids as unquoted uint64 values, which plain JSON.parse would round.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function (_key, value, context?: { source?: string }) {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
      return context?.source ?? quoteBig(text, value);
    }
    return value;
  });
}

// Runtimes without JSON.parse source access: re-parse with big integers quoted.
function quoteBig(text: string, value: number): string {
  const quoted = JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as unknown;
  let found: string | undefined;
  JSON.stringify(quoted, (_k, v) => {
    if (found === undefined && typeof v === 'string' && /^\d{16,}$/.test(v) && Number(v) === value) found = v;
    return v;
  });
  return found ?? String(value);
}

/** The JSON a command printed, or undefined (a failing command may print nothing, or a partial array). */
export function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t || (t[0] !== '{' && t[0] !== '[')) return undefined;
  try {
    return parseJsonExact(t);
  } catch {
    // Some etcdctl versions print one JSON document per line.
    const lines = t.split('\n').filter((l) => l.trim().startsWith('{') || l.trim().startsWith('['));
    if (lines.length <= 1) return undefined;
    try {
      return lines.flatMap((l) => {
        const v = parseJsonExact(l);
        return Array.isArray(v) ? v : [v];
      });
    } catch {
      return undefined;
    }
  }
}

/** etcd prints ids in decimal in JSON and in hex in tables and logs; people compare the hex. */
export function idHex(v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  try {
    return BigInt(typeof v === 'number' ? Math.trunc(v) : String(v)).toString(16);
  } catch {
    return String(v);
  }
}

// ── versions ─────────────────────────────────────────────────────────────────────────────────

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseVersion(text: string | undefined): Version | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}` };
}

export function atLeast(v: Version, major: number, minor: number, patch: number): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export const minorOf = (v: Version) => `${v.major}.${v.minor}`;

/**
 * Which tools a restore uses, as etcd.tooling reports it. Later steps take this object as is
 * (`tooling: ${{ vars.tooling }}`), so one detection decides every command.
 */
export const toolingSchema = z
  .object({
    version: z.string().describe('The etcd version the data belongs to (x.y.z)'),
    etcdctl_bin: z.string(),
    restore_tool: z.enum(['etcdctl', 'etcdutl']),
    restore_bin: z.string(),
    status_tool: z.enum(['etcdctl', 'etcdutl']),
    status_bin: z.string(),
    tool_version: z.string(),
    supports_bump: z.boolean(),
  })
  .passthrough();

export type Tooling = z.infer<typeof toolingSchema>;

/** `snapshot status` prints hash, revision, totalKey, totalSize (and, from 3.6, version). */
export interface SnapshotStatus {
  hash: number;
  revision: number;
  total_keys: number;
  total_size: number;
  storage_version?: string;
}

export function parseSnapshotStatus(stdout: string): SnapshotStatus | undefined {
  const j = tryJson(stdout) as Record<string, unknown> | undefined;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return undefined;
  const num = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : Number(j[k] ?? NaN));
  if (!Number.isFinite(num('revision'))) return undefined;
  return {
    hash: num('hash'),
    revision: num('revision'),
    total_keys: num('totalKey'),
    total_size: num('totalSize'),
    ...(typeof j.version === 'string' && j.version ? { storage_version: j.version } : {}),
  };
}

/** 3h12m, 4d2h: how old something is, for people. */
export function ageText(seconds: number): string {
  if (seconds < 0) return 'in the future (check the clocks)';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d${h ? `${h}h` : ''}`;
  if (h) return `${h}h${m ? `${m}m` : ''}`;
  if (m) return `${m}m`;
  return `${Math.floor(seconds)}s`;
}

/** 20260302T031200Z: a stamp for directory and file names, from the step's clock. */
export function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
