// Markdown runbooks (Runme's format and its cousins) as oncall runbooks:
//
//   # Title                    → the runbook's title; the prose under it → its summary
//   ## Heading                 → a section: its prose is the guidance of its steps
//   ```sh { name=restart }     → steps: one per simple command (an argument array), or one marked
//                                `bash -c` for a block a shell must read (flagged for review)
//   export NAME=value, $NAME,  → typed inputs (secret when the name looks like a token);
//   ${NAME}, <name>              a value is its default unless it is a "put yours here"
//   prose with no commands     → a manual step
//
// Commands that change things are write steps with a confirmation; `aws` one-liners become
// aws.call steps where the mapping is exact. Nothing is dropped silently: what is not mapped is kept
// as guidance and reported.
import { readYamlValue } from '../runbook/yaml.js';
import { mapAwsCli } from './aws-cli.js';
import { mapKubectl } from './kubectl.js';
import { assignment, classify, ENVIRONMENT, inputName, isPlaceholderValue, isSecretName, parseSimple, plainWords, templateWord, type Word } from './shell.js';
import { stepId, type ImportNote, type ImportResult, type InputDoc, type StepDoc } from './types.js';

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal', 'ksh']);
/** Programs that make an unlabelled block a shell block. */
const KNOWN_PROGRAMS = /^(\$ )?(sudo )?(kubectl|oc|aws|curl|systemctl|service|journalctl|docker|helm|git|ssh|ps|df|du|free|top|ls|cat|tail|grep|dig|ping|echo|node|python3?|psql|mysql|redis-cli|etcdctl|terraform|export|cd|kill|rm)\b/;

export const MAX_MARKDOWN_CHARS = 2_000_000;
export const MAX_STEPS = 2000;

interface Block {
  line: number;
  lang: string;
  attrs: Record<string, string>;
  lines: string[];
}

interface Section {
  title: string;
  level: number;
  line: number;
  /** Prose and blocks in order. */
  items: ({ prose: string; line: number } | { block: Block })[];
}

export async function importMarkdown(source: string, file: string): Promise<ImportResult> {
  if (source.length > MAX_MARKDOWN_CHARS) throw new Error(`${file} is ${source.length.toLocaleString('en-US')} characters; oncall imports Markdown up to ${MAX_MARKDOWN_CHARS.toLocaleString('en-US')}`);
  const notes: ImportNote[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  const front: { cwd?: string; shell?: string; title?: string } = {};
  if (lines[0]?.trim() === '---') {
    const close = lines.indexOf('---', 1);
    if (close > 0) {
      const value = readYamlValue(lines.slice(1, close).join('\n'));
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) {
          if ((k === 'cwd' || k === 'shell' || k === 'title') && typeof v === 'string') front[k] = v;
          else if (k === 'runme' || k === 'tags' || k === 'description') continue;
          else notes.push({ line: 2, kind: 'unmapped', message: `front matter '${k}' has no meaning in an oncall runbook` });
        }
      } else notes.push({ line: 1, kind: 'unmapped', message: 'front matter that is not a YAML mapping was ignored' });
      start = close + 1;
    }
  }

  // ── sections ──
  const sections: Section[] = [];
  let current: Section = { title: '', level: 0, line: start + 1, items: [] };
  sections.push(current);
  let prose: string[] = [];
  let proseLine = start + 1;
  const flushProse = () => {
    const text = prose.join('\n').trim();
    if (text) current.items.push({ prose: text, line: proseLine });
    prose = [];
  };
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s{`]*)\s*(.*)$/.exec(line);
    if (fence) {
      flushProse();
      const [, indent = '', marker = '```', lang = '', rest = ''] = fence;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        if (l.trim().startsWith(marker[0]!.repeat(marker.length)) && l.trim().replace(/[`~]/g, '') === '') break;
        body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
      }
      current.items.push({ block: { line: i + 1, lang: lang.toLowerCase(), attrs: fenceAttrs(rest), lines: body } });
      i = j;
      proseLine = j + 2;
      continue;
    }
    const atx = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const setext = !atx && prose.length > 0 && prose[prose.length - 1]!.trim() && /^(=+|-+)\s*$/.test(line) && !/^\s*[-*]\s/.test(prose[prose.length - 1]!);
    if (atx || setext) {
      let title: string;
      let level: number;
      if (atx) {
        title = atx[2]!;
        level = atx[1]!.length;
      } else {
        title = prose.pop()!.trim();
        level = line.trim().startsWith('=') ? 1 : 2;
      }
      flushProse();
      current = { title: stripInline(title), level, line: i + 1, items: [] };
      sections.push(current);
      proseLine = i + 2;
      continue;
    }
    if (!prose.length) proseLine = i + 1;
    prose.push(line);
  }
  flushProse();

  // ── title and summary: the first H1 (or the front matter's title) and the prose under it ──
  const h1 = sections.find((s) => s.level === 1);
  const title = front.title ?? h1?.title ?? basename(file);
  const intro = [sections[0]!, ...(h1 ? [h1] : [])].flatMap((s) => s.items).find((it): it is { prose: string; line: number } => 'prose' in it);
  const summary = intro ? firstParagraph(intro.prose) : `Imported from ${basename(file)}.`;

  const ctx = new Builder(file, notes, front);
  for (const s of sections) {
    const isIntro = s === sections[0] || s === h1;
    await ctx.section(s, isIntro, intro);
    if (ctx.steps.length > MAX_STEPS) throw new Error(`${file} makes more than ${MAX_STEPS} steps; split it`);
  }
  if (!ctx.steps.length) {
    ctx.steps.push({ id: 'read', title: `Read ${title}`, kind: 'manual', with: { instruction: source.trim().slice(0, 20_000) || title } });
    notes.push({ kind: 'review', message: 'no commands or sections were found: the whole page is one manual step' });
  }

  return {
    format: 'markdown',
    runbook: {
      id: stepId(basename(file).replace(/\.(md|markdown|mdx)$/i, ''), new Set()),
      title,
      version: '1.0.0',
      summary,
      tags: ['imported'],
      inputs: ctx.inputs,
      steps: ctx.steps,
    },
    notes,
  };
}

class Builder {
  readonly steps: StepDoc[] = [];
  readonly inputs: Record<string, InputDoc> = {};
  private readonly ids = new Set<string>();
  /** Placeholder as written → input name. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly file: string,
    private readonly notes: ImportNote[],
    private readonly front: { cwd?: string; shell?: string },
  ) {}

  async section(s: Section, isIntro: boolean, intro: { prose: string; line: number } | undefined): Promise<void> {
    let pending: string[] = [];
    const made: StepDoc[] = [];
    let index = 0;
    const blocks = s.items.filter((it) => 'block' in it).length;
    for (const item of s.items) {
      if ('prose' in item) {
        // The summary is the introduction's first paragraph; the rest of it is guidance.
        const text = isIntro && item === intro ? item.prose.split(/\n\s*\n/).slice(1).join('\n\n').trim() : item.prose;
        if (text) pending.push(text);
        continue;
      }
      const b = item.block;
      if (!this.isShell(b)) {
        pending.push(`\`\`\`${b.lang}\n${b.lines.join('\n')}\n\`\`\``);
        this.notes.push({ line: b.line, kind: 'unmapped', message: `a ${b.lang || 'plain'} block is not a shell block: kept as guidance, not run` });
        continue;
      }
      index++;
      const title = s.title || 'Commands';
      const steps = await this.block(b, blocks > 1 ? `${title} (${index})` : title, pending.join('\n\n'));
      if (steps.length) pending = [];
      made.push(...steps);
    }
    const rest = pending.join('\n\n').trim();
    if (made.length) {
      if (rest) {
        const last = made[made.length - 1]!;
        last.guidance = [last.guidance, rest].filter(Boolean).join('\n\n');
      }
    } else if (rest && this.onlyAssignments(s)) {
      // A block of `export X=…` only: its prose goes with the next step.
      this.introExtra = [this.introExtra, `**${s.title}:** ${rest}`].filter(Boolean).join('\n\n');
    } else if (rest && !(isIntro && s.level <= 1)) {
      this.steps.push({ id: stepId(s.title || 'read-this', this.ids), title: s.title || 'Read this', kind: 'manual', with: { instruction: rest } });
    } else if (rest && isIntro) {
      // The introduction's extra paragraphs: guidance of the first step, whatever it is.
      this.introExtra = rest;
    } else if (!rest && s.level > 1) {
      this.notes.push({ line: s.line, kind: 'unmapped', message: `section '${s.title}' is empty` });
    }
    this.steps.push(...made);
    if (this.introExtra && this.steps.length) {
      const first = this.steps[0]!;
      first.guidance = [this.introExtra, first.guidance].filter(Boolean).join('\n\n');
      this.introExtra = undefined;
    }
  }

  private introExtra: string | undefined;

  private onlyAssignments(s: Section): boolean {
    const blocks = s.items.flatMap((it) => ('block' in it && this.isShell(it.block) ? [it.block] : []));
    return blocks.length > 0 && blocks.every((b) => b.lines.every((l) => !l.trim() || l.trim().startsWith('#') || assignment(l.replace(/^\s*\$ /, '')) !== undefined));
  }

  private isShell(b: Block): boolean {
    if (SHELL_LANGS.has(b.lang)) return true;
    if (b.lang) return false;
    // An unlabelled block is shell when every line is a command oncall recognises.
    const code = b.lines.filter((l) => l.trim() && !l.trim().startsWith('#'));
    return (
      code.length > 0 &&
      code.every((l, i) => {
        if (KNOWN_PROGRAMS.test(l.trim()) || /\\$/.test(code[i - 1] ?? '')) return true;
        const simple = parseSimple(l.replace(/^\s*\$ /, ''));
        return simple.ok && !classify(plainWords(simple.command)).unknown;
      })
    );
  }

  /** The steps of one shell block. */
  private async block(b: Block, title: string, guidance: string): Promise<StepDoc[]> {
    // Continuation lines joined; a `$ ` prompt marks commands (the rest is their output).
    const joined: { text: string; line: number }[] = [];
    for (let i = 0; i < b.lines.length; i++) {
      let text = b.lines[i]!;
      const line = b.line + 1 + i;
      while (/\\$/.test(text) && i + 1 < b.lines.length) text = `${text.slice(0, -1)} ${b.lines[++i]!.trim()}`;
      joined.push({ text, line });
    }
    const prompted = b.lang === 'console' || b.lang === 'shell-session' || joined.some((l) => /^\s*\$ /.test(l.text));
    const commands: { text: string; line: number }[] = [];
    const output: string[] = [];
    const comments: string[] = [];
    for (const l of joined) {
      if (prompted) {
        const m = /^\s*\$ (.*)$/.exec(l.text);
        if (m) commands.push({ text: m[1]!, line: l.line });
        else if (l.text.trim()) output.push(l.text);
        continue;
      }
      if (!l.text.trim()) continue;
      if (/^\s*#/.test(l.text)) {
        comments.push(l.text.trim().replace(/^#+\s?/, ''));
        continue;
      }
      commands.push({ text: l.text, line: l.line });
    }
    const extra = [guidance, comments.length ? comments.join('\n') : '', output.length ? `Expected output:\n\n\`\`\`\n${output.join('\n')}\n\`\`\`` : ''].filter(Boolean).join('\n\n');

    // `export NAME=value` lines are inputs, not steps.
    const run: { text: string; line: number }[] = [];
    for (const c of commands) {
      const a = assignment(c.text);
      if (a) {
        this.declare(a.name, isPlaceholderValue(a.value) ? undefined : a.value, c.line);
        continue;
      }
      run.push(c);
    }
    if (!run.length) {
      if (extra && commands.length) this.notes.push({ line: b.line, kind: 'review', message: 'a block of variable assignments only: they became inputs' });
      if (extra && !commands.length) return [this.manual(title, extra)];
      return [];
    }
    const parsed = run.map((c) => ({ ...c, simple: parseSimple(c.text) }));
    const named = b.attrs.name;
    if (parsed.every((p) => p.simple.ok)) {
      const steps: StepDoc[] = [];
      for (const [i, p] of parsed.entries()) {
        if (!p.simple.ok) continue;
        const stepTitle = parsed.length > 1 ? `${title}: ${shortCommand(p.text)}` : title;
        const step = await this.simpleStep(p.simple.command.words, stepTitle, named && i === 0 ? named : stepTitle, p.text, p.line);
        if (i === 0 && extra) step.guidance = extra;
        steps.push(step);
      }
      return steps;
    }
    const why = parsed.find((p) => !p.simple.ok)!;
    return [this.scriptStep(run, title, named ?? title, extra, b.line, why.simple.ok ? '' : why.simple.why)];
  }

  private async simpleStep(words: Word[], title: string, idFrom: string, original: string, line: number): Promise<StepDoc> {
    const text = (w: Word) => templateWord(w, (raw) => this.use(raw, line));
    const argv = words.map(text);
    const plain = plainWordsOf(words);
    const id = stepId(idFrom, this.ids);
    if (plain[0] === 'aws') {
      const mapped = mapAwsCli(words, text);
      if (mapped.ok) {
        const step: StepDoc = { id, title, kind: 'aws.call', with: mapped.mapping.with, guidance: `Imported from \`${original.trim()}\` (${basename(this.file)}:${line}).` };
        if (classify(plain).effect === 'write') step.confirm = { message: `Imported from: ${original.trim()}` };
        return step;
      }
      this.notes.push({ line, step: id, kind: 'review', message: `aws command kept as a shell step (${mapped.why}): ${shortCommand(original)}` });
    }
    if (plain[0] === 'kubectl') {
      const k = mapKubectl(words, text);
      if (k) {
        const step: StepDoc = { id, title, kind: k.kind, with: k.with, guidance: `Imported from \`${original.trim()}\` (${basename(this.file)}:${line}).` };
        if (classify(plain).effect === 'write') step.confirm = { message: `Imported from: ${original.trim()}` };
        return step;
      }
    }
    const c = classify(plain);
    if (c.unknown) this.notes.push({ line, step: id, kind: 'review', message: `'${c.unknown}' is not a command oncall knows: treated as a change (write, confirmed); make it effect: read if it only reads` });
    const step: StepDoc = { id, title, kind: 'shell', with: { argv, effect: c.effect, ...(this.front.cwd ? { cwd: this.front.cwd } : {}) } };
    if (c.effect === 'write') step.confirm = { message: `Imported from: ${original.trim()}` };
    return step;
  }

  /** A block a shell must read: a marked `bash -c`, its placeholders passed as environment variables. */
  private scriptStep(run: { text: string; line: number }[], title: string, idFrom: string, guidance: string, line: number, why: string): StepDoc {
    const id = stepId(idFrom, this.ids);
    let script = run.map((r) => r.text).join('\n');
    const env: Record<string, string> = {};
    // `<name>` would be a redirection to a shell: it becomes "${NAME}", given through the environment.
    script = script.replace(/<([A-Za-z][A-Za-z0-9_.-]*)>/g, (_m, raw: string) => {
      const name = this.use(raw, line);
      const variable = name.toUpperCase();
      env[variable] = `\${{ inputs.${name} }}`;
      return `"\${${variable}}"`;
    });
    const assigned = new Set<string>();
    for (const m of script.matchAll(/(?:^|[\s;(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g)) assigned.add(m[1]!);
    for (const m of script.matchAll(/\b(?:for|read)\s+(?:-\w+\s+)*([A-Za-z_][A-Za-z0-9_]*)/g)) assigned.add(m[1]!);
    for (const m of script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const raw = m[1]!;
      if (ENVIRONMENT.has(raw) || assigned.has(raw) || env[raw] !== undefined) continue;
      env[raw] = `\${{ inputs.${this.use(raw, line)} }}`;
    }
    const effects = run.map((r) => {
      const s = parseSimple(r.text);
      return s.ok ? classify(plainWords(s.command)) : classify(r.text.trim().split(/\s+/));
    });
    const effect = effects.some((e) => e.effect === 'write') ? 'write' : 'read';
    this.notes.push({ line, step: id, kind: 'review', message: `runs through bash -c (${why}): check it, and split it into simple commands where you can` });
    const step: StepDoc = {
      id,
      title,
      kind: 'shell',
      with: { argv: [this.front.shell ?? 'bash', '-c', script], effect, ...(Object.keys(env).length ? { env } : {}), ...(this.front.cwd ? { cwd: this.front.cwd } : {}) },
      guidance: [`**Imported for review:** this block runs through \`bash -c\` (${why}).`, guidance].filter(Boolean).join('\n\n'),
    };
    if (effect === 'write') step.confirm = { message: 'Imported shell script: read it before you approve' };
    return step;
  }

  private manual(title: string, instruction: string): StepDoc {
    return { id: stepId(title, this.ids), title, kind: 'manual', with: { instruction } };
  }

  /** An input for a placeholder as written (`POD_NAME`, `pod-name`), declared on first use. */
  private use(raw: string, line: number): string {
    const known = this.names.get(raw);
    if (known) return known;
    return this.declare(raw, undefined, line);
  }

  private declare(raw: string, value: string | undefined, line: number): string {
    const name = this.names.get(raw) ?? inputName(raw);
    this.names.set(raw, name);
    const existing = this.inputs[name];
    if (existing) {
      if (value !== undefined && existing.default === undefined) existing.default = existing.type === 'number' ? Number(value) : value;
      return name;
    }
    const secret = isSecretName(raw);
    const numeric = value !== undefined && /^\d+$/.test(value) && value.length < 10;
    this.inputs[name] = {
      type: numeric ? 'number' : 'string',
      description: `${raw} in ${basename(this.file)} (line ${line})`,
      ...(value !== undefined && !secret ? { default: numeric ? Number(value) : value } : {}),
      ...(secret ? { secret: true } : {}),
    };
    if (secret && value !== undefined) this.notes.push({ line, kind: 'review', message: `${raw} looks like a secret: its value in the page was not kept; it is asked for at the start and never shown` });
    return name;
  }
}

function plainWordsOf(words: Word[]): string[] {
  return words.map((w) => w.map((p) => ('text' in p ? p.text : `<${p.input}>`)).join(''));
}

/** Runme/runmd options on the fence line: `{ name=restart interactive=false }`, `name="setup"`. */
function fenceAttrs(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of rest.matchAll(/([A-Za-z_][\w-]*)\s*=\s*("([^"]*)"|'([^']*)'|[^\s}]+)/g)) out[m[1]!] = m[3] ?? m[4] ?? m[2]!;
  return out;
}

function stripInline(s: string): string {
  return s.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
}

function firstParagraph(text: string): string {
  const p = text.split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  return p.length > 300 ? `${p.slice(0, 297)}…` : p;
}

function shortCommand(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > 60 ? `${t.slice(0, 59)}…` : t;
}

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
