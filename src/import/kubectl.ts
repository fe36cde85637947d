// `kubectl` one-liners as Kubernetes steps, where the mapping is exact: cordon and uncordon a node,
// delete a pod, scale and rollout restart a deployment, get pods/nodes/deployments without an
// output format. A namespaced command maps only when it names its namespace (-n): without it,
// kubectl uses the context's namespace, which a step cannot know when it is written.
import type { Word } from './shell.js';

export function mapKubectl(words: Word[], text: (w: Word) => string): { kind: string; with: Record<string, unknown> } | undefined {
  const plain = words.map((w) => w.map((p) => ('text' in p ? p.text : '\0')).join(''));
  if (plain[0] !== 'kubectl') return undefined;
  const args: Word[] = [];
  let namespace: string | undefined;
  const flags: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const a = plain[i]!;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('-') && eq > 0 ? [a.slice(0, eq), words[i]!] : [a, undefined];
    if (flag === '-n' || flag === '--namespace') {
      const w = inline ? sliceWord(inline, eq + 1) : words[++i];
      if (!w) return undefined;
      namespace = text(w);
      continue;
    }
    if (flag.startsWith('-')) {
      const w = inline ? sliceWord(inline, eq + 1) : words[++i];
      if (!w) return undefined;
      flags[flag] = text(w);
      continue;
    }
    args.push(words[i]!);
  }
  const pos = args.map(text);
  const only = (...allowed: string[]) => Object.keys(flags).every((f) => allowed.includes(f));
  const [verb, a1, a2, a3] = pos;
  const split = (s: string | undefined): [string, string] | undefined => {
    const m = /^([a-z]+)\/(.+)$/.exec(s ?? '');
    return m ? [m[1]!, m[2]!] : undefined;
  };
  if ((verb === 'cordon' || verb === 'uncordon') && a1 && !a2 && only()) return { kind: `k8s.${verb}`, with: { node: a1 } };
  if (!namespace) return undefined;
  if (verb === 'delete' && only('--grace-period')) {
    const t = split(a1) ?? (a2 && !a3 ? [a1 ?? '', a2] : undefined);
    if (t && ['pod', 'pods', 'po'].includes(t[0]) && !(split(a1) && a2)) {
      const grace = flags['--grace-period'];
      if (grace !== undefined && !/^\d+$/.test(grace)) return undefined;
      return { kind: 'k8s.deletePod', with: { namespace, pod: t[1], ...(grace !== undefined ? { grace_period_seconds: Number(grace) } : {}) } };
    }
  }
  if (verb === 'scale' && only('--replicas') && flags['--replicas'] !== undefined) {
    const t = split(a1) ?? (a2 && !a3 ? [a1 ?? '', a2] : undefined);
    if (t && ['deployment', 'deployments', 'deploy'].includes(t[0]) && !(split(a1) && a2)) return { kind: 'k8s.scale', with: { namespace, deployment: t[1], replicas: flags['--replicas'] } };
  }
  if (verb === 'rollout' && a1 === 'restart' && only()) {
    const t = split(a2) ?? (a3 ? [a2 ?? '', a3] : undefined);
    if (t && ['deployment', 'deployments', 'deploy'].includes(t[0]) && pos.length === (split(a2) ? 3 : 4)) return { kind: 'k8s.rolloutRestart', with: { namespace, deployment: t[1] } };
  }
  if (verb === 'get' && only('-l', '--selector', '--field-selector')) {
    const resource = { pods: 'pods', pod: 'pods', po: 'pods', deployments: 'deployments', deployment: 'deployments', deploy: 'deployments' }[a1 ?? ''];
    if (resource && !a3) {
      const selector = flags['-l'] ?? flags['--selector'];
      return { kind: 'k8s.get', with: { resource, namespace, ...(a2 ? { name: a2 } : {}), ...(selector ? { label_selector: selector } : {}), ...(flags['--field-selector'] ? { field_selector: flags['--field-selector'] } : {}) } };
    }
  }
  return undefined;
}

/** The part of a word after `--flag=` (the word's text parts, from `at`). */
function sliceWord(w: Word, at: number): Word {
  const out: Word = [];
  let pos = 0;
  for (const p of w) {
    if ('text' in p) {
      const start = Math.max(0, at - pos);
      if (start < p.text.length) out.push({ text: p.text.slice(start) });
      pos += p.text.length;
    } else {
      if (pos >= at) out.push(p);
      pos += 1;
    }
  }
  return out;
}
