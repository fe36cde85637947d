// Secret or plain configuration? Decided from the key's name and the value's shape, and always
// shown to a human to confirm. Reasons are fixed phrases: none quotes, measures or hints at a value
// (no lengths either; the one exception is "too short to redact", which a human must see).

export type KeyClass = 'secret' | 'plain';

export interface Classification {
  class: KeyClass;
  /** Why, in fixed words: "name ends in _KEY", "value looks like a PEM private key". */
  reasons: string[];
  /** Decided by the operator (reclassify), not by the rules. */
  byOperator?: boolean;
}

const NAME_SECRET_WORDS = new Map<string, string>([
  ['PASSWORD', 'name contains PASSWORD'],
  ['PASSWD', 'name contains PASSWD'],
  ['PWD', 'name contains PWD'],
  ['PASS', 'name contains PASS'],
  ['PASSPHRASE', 'name contains PASSPHRASE'],
  ['SECRET', 'name contains SECRET'],
  ['SECRETS', 'name contains SECRETS'],
  ['TOKEN', 'name contains TOKEN'],
  ['TOKENS', 'name contains TOKENS'],
  ['CREDENTIAL', 'name contains CREDENTIAL'],
  ['CREDENTIALS', 'name contains CREDENTIALS'],
  ['APIKEY', 'name contains APIKEY'],
  ['PRIVATE', 'name contains PRIVATE'],
  ['SALT', 'name contains SALT'],
  ['PEPPER', 'name contains PEPPER'],
  ['JWT', 'name contains JWT'],
  ['DSN', 'name contains DSN'],
  ['BEARER', 'name contains BEARER'],
  ['OTP', 'name contains OTP'],
  ['PIN', 'name contains PIN'],
]);

/** Name words that say a value is meant to be public. */
const NAME_PUBLIC_WORDS = new Set(['PUBLIC', 'PUBLISHABLE', 'PUB']);

const URL_NAME_WORDS = new Set(['URL', 'URI', 'DSN', 'CONNECTION', 'CONN', 'ENDPOINT', 'HOST', 'ADDR', 'ADDRESS', 'DATABASE', 'DB', 'REDIS', 'AMQP', 'MONGO', 'MONGODB', 'POSTGRES', 'MYSQL']);

const FLAG_VALUE = /^(true|false|yes|no|on|off|enabled|disabled|0|1)$/i;

const KNOWN_PREFIXES: [RegExp, string][] = [
  [/^(sk|rk|pk)_(live|test)_[A-Za-z0-9]{8,}/, 'value has a Stripe key prefix'],
  [/^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, 'value has a GitHub token prefix'],
  [/^github_pat_[A-Za-z0-9_]{20,}/, 'value has a GitHub token prefix'],
  [/^xox[abposr]-[A-Za-z0-9-]{10,}/, 'value has a Slack token prefix'],
  [/^glpat-[A-Za-z0-9_-]{16,}/, 'value has a GitLab token prefix'],
  [/^AIza[0-9A-Za-z_-]{30,}/, 'value has a Google API key prefix'],
  [/^SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/, 'value has a SendGrid key prefix'],
  [/^npm_[A-Za-z0-9]{30,}/, 'value has an npm token prefix'],
];

function words(key: string): string[] {
  // FOO_BAR, foo.bar, foo-bar and fooBar all split into words.
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/** Bits of entropy per character, over the value's own character frequencies. */
export function shannon(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...value].length;
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
}

/** Value shapes that say "secret", as fixed phrases. */
export function valueSignals(value: string): string[] {
  const out: string[] = [];
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)) out.push('value looks like a PEM private key');
  if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value)) out.push('value looks like an AWS access key id');
  if (/^eyJ[\w-]+\.eyJ[\w-]*\.[\w-]+$/.test(value)) out.push('value looks like a JWT');
  for (const [re, why] of KNOWN_PREFIXES) if (re.test(value)) out.push(why);
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value)) out.push('value is a URL with a password');
  if (out.length === 0 && looksRandom(value)) out.push('value has high entropy');
  return out;
}

/** A long, dense, mixed string that is not a URL, path, host name, e-mail or sentence. */
function looksRandom(value: string): boolean {
  if (value.length < 16 || /\s/.test(value)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false; // a URL without credentials
  if (/^[./~]/.test(value) || /^[A-Za-z]:\\/.test(value)) return false; // a path
  if (/^[\w.-]+@[\w.-]+\.[a-z]{2,}$/i.test(value)) return false; // an e-mail address
  if (/^([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?$/i.test(value)) return false; // a host name
  if (/^[\d.:-]+$/.test(value)) return false; // numbers, dates, addresses
  const h = shannon(value);
  return (h >= 3.5 && characterClasses(value) >= 2) || (h >= 4.2 && value.length >= 24);
}

/** The rules' verdict for one key; the operator may overrule it (applyOverrides). */
export function classify(key: string, value: string): Classification {
  const w = words(key);
  const reasons: string[] = [];
  const isPublic = w.some((x) => NAME_PUBLIC_WORDS.has(x));
  for (const x of w) {
    const why = NAME_SECRET_WORDS.get(x);
    if (why && !reasons.includes(why)) reasons.push(why);
  }
  if (w.at(-1) === 'KEY' || w.at(-1) === 'KEYS') reasons.push('name ends in _KEY');
  if (isPublic && reasons.length) {
    // STRIPE_PUBLISHABLE_KEY is meant to be public; a human still confirms.
    return { class: 'plain', reasons: ['name says the value is public'] };
  }
  const signals = value === '' ? [] : valueSignals(value);
  if (reasons.length && FLAG_VALUE.test(value)) {
    // ENABLE_TOKEN_AUTH=true: a switch under a secret-looking name.
    return { class: 'plain', reasons: ['a true/false or 0/1 switch under a secret-looking name'] };
  }
  if (signals.includes('value is a URL with a password') || reasons.length || signals.length) {
    return { class: 'secret', reasons: [...reasons, ...signals] };
  }
  if (w.some((x) => URL_NAME_WORDS.has(x))) return { class: 'plain', reasons: ['a connection setting without credentials'] };
  return { class: 'plain', reasons: ['no secret-like name or value'] };
}

export interface Override {
  pattern: string;
  to: KeyClass;
  re: RegExp;
  used: boolean;
}

export const RECLASSIFY_RE = /^\s*([+-][\w.*-]+\s*)?(,\s*([+-][\w.*-]+\s*)?)*$/;

/**
 * `+KEY` makes a key a secret, `-KEY` plain configuration; `*` matches any characters
 * (`-FEATURE_*`). Entries are comma-separated; later entries win. Empty entries are ignored.
 */
export function parseOverrides(text: string | string[] | undefined): Override[] {
  const parts = (Array.isArray(text) ? text : [text ?? ''])
    .flatMap((t) => t.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.map((p) => {
    if (!/^[+-][\w.*-]+$/.test(p)) throw new Error(`reclassify: '${p}' is not +KEY or -KEY (comma-separated; * matches any characters)`);
    const name = p.slice(1);
    const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return { pattern: name, to: p[0] === '+' ? 'secret' : 'plain', re, used: false };
  });
}

export function applyOverrides(key: string, c: Classification, overrides: Override[]): Classification {
  let out = c;
  for (const o of overrides) {
    if (!o.re.test(key)) continue;
    o.used = true;
    out = { class: o.to, reasons: [o.to === 'secret' ? 'operator: a secret' : 'operator: plain configuration', ...c.reasons.map((r) => `rules said: ${r}`)], byOperator: true };
  }
  return out;
}
