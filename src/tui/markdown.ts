// Markdown for the terminal (step guidance and manual instructions). marked's lexer reads the
// markdown; this small renderer turns its tokens into terminal lines, word-wrapped to the pane.
// (marked-terminal was the obvious choice, but it loads cli-highlight and every highlight.js
// language: ~180 ms and ~33 MB of RSS for syntax colouring that guidance does not need.)
// marked loads on first use, in the background; until then the text is shown as written.
import type { Token, Tokens } from 'marked';
import { stripVTControlCharacters } from 'node:util';
import { wrapText } from './format.js';
import { stringWidth } from './width.js';

type Lexer = (md: string) => Token[];

let lexer: Lexer | undefined;
let loading: Promise<void> | undefined;
const cache = new Map<string, string[]>();

export function preload(): Promise<void> {
  loading ??= import('marked').then((m) => {
    lexer = (md) => m.lexer(md, { gfm: true });
  });
  return loading;
}

export function isLoaded(): boolean {
  return lexer !== undefined;
}

/** The rendered lines, or the source wrapped as is while marked loads. */
export function markdownLines(md: string, color: boolean, width: number): string[] {
  const key = `${color ? 1 : 0}:${width}\u0000${md}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!lexer) return wrapText(softBreaks(md), width);
  let lines: string[];
  try {
    lines = renderBlocks(lexer(md), new Style(color), Math.max(20, width));
  } catch {
    lines = wrapText(softBreaks(md), width);
  }
  while (lines.length && lines.at(-1) === '') lines.pop();
  while (lines.length && lines[0] === '') lines.shift();
  if (cache.size > 200) cache.clear();
  cache.set(key, lines);
  return lines;
}

/** SGR styles; NO_COLOR keeps bold, italic and underline (they are not colour) and drops colours. */
class Style {
  constructor(readonly color: boolean) {}
  private sgr(on: string, off: string, text: string): string {
    return text === '' ? text : `\u001b[${on}m${text}\u001b[${off}m`;
  }
  bold = (t: string) => this.sgr('1', '22', t);
  italic = (t: string) => this.sgr('3', '23', t);
  underline = (t: string) => this.sgr('4', '24', t);
  strike = (t: string) => this.sgr('9', '29', t);
  dim = (t: string) => this.sgr('2', '22', t);
  code = (t: string) => (this.color ? this.sgr('36', '39', t) : t);
  heading = (t: string) => (this.color ? this.sgr('1;35', '22;39', t) : this.bold(t));
}

/** A word with its style applied (styles never span a line break, so wrapped lines stay styled). */
type Word = { text: string; styled: string } | { br: true };

function inlineWords(tokens: Token[] | undefined, st: Style, wrap: (t: string) => string = (t) => t): Word[] {
  const out: Word[] = [];
  const words = (text: string, style: (t: string) => string) => {
    const parts = text.split(/(\s+)/);
    for (const p of parts) {
      if (p === '') continue;
      if (/^\s+$/.test(p)) {
        out.push({ text: ' ', styled: ' ' });
        continue;
      }
      out.push({ text: p, styled: wrap(style(p)) });
    }
  };
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'strong':
        out.push(...inlineWords((t as Tokens.Strong).tokens, st, (x) => wrap(st.bold(x))));
        break;
      case 'em':
        out.push(...inlineWords((t as Tokens.Em).tokens, st, (x) => wrap(st.italic(x))));
        break;
      case 'del':
        out.push(...inlineWords((t as Tokens.Del).tokens, st, (x) => wrap(st.strike(x))));
        break;
      case 'codespan':
        words(unescape((t as Tokens.Codespan).text), st.code);
        break;
      case 'link': {
        const l = t as Tokens.Link;
        out.push(...inlineWords(l.tokens, st, (x) => wrap(st.underline(x))));
        const label = stripVTControlCharacters(l.text);
        if (l.href && l.href !== label && !l.href.startsWith('mailto:')) words(` (${l.href})`, st.dim);
        break;
      }
      case 'image':
        words(`[image: ${(t as Tokens.Image).text || (t as Tokens.Image).href}]`, st.dim);
        break;
      case 'br':
        out.push({ br: true });
        break;
      case 'text': {
        const tx = t as Tokens.Text;
        if (tx.tokens?.length) out.push(...inlineWords(tx.tokens, st, wrap));
        else words(unescape(tx.text), (x) => x);
        break;
      }
      case 'escape':
      case 'html':
      default:
        words(unescape((t as { text?: string }).text ?? (t as { raw?: string }).raw ?? ''), (x) => x);
    }
  }
  return out;
}

/** Lays words out in lines of at most `width` columns; `first`/`rest` prefix the lines (bullets, quotes). */
function layout(words: Word[], width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let prefix = first;
  const room = () => Math.max(8, width - stringWidth(prefix));
  const flush = () => {
    lines.push(prefix + line.trimEnd());
    line = '';
    used = 0;
    prefix = rest;
  };
  for (const w of words) {
    if ('br' in w) {
      flush();
      continue;
    }
    const wWidth = stringWidth(w.text);
    if (w.text === ' ') {
      if (used > 0 && used < room()) {
        line += ' ';
        used += 1;
      }
      continue;
    }
    if (used > 0 && used + wWidth > room()) {
      flush();
    }
    line += w.styled;
    used += wWidth;
  }
  if (line.trim() !== '' || !lines.length) flush();
  return lines;
}

function renderBlocks(tokens: Token[], st: Style, width: number): string[] {
  const out: string[] = [];
  const gap = () => {
    if (out.length && out.at(-1) !== '') out.push('');
  };
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
        break;
      case 'heading': {
        gap();
        const h = t as Tokens.Heading;
        out.push(...layout(inlineWords(h.tokens, st, h.depth === 1 ? (x) => st.underline(st.heading(x)) : st.heading), width));
        break;
      }
      case 'paragraph':
        gap();
        out.push(...layout(inlineWords((t as Tokens.Paragraph).tokens, st), width));
        break;
      case 'text':
        out.push(...layout(inlineWords((t as Tokens.Text).tokens ?? [{ type: 'text', raw: (t as Tokens.Text).text, text: (t as Tokens.Text).text } as Token], st), width));
        break;
      case 'list': {
        gap();
        const l = t as Tokens.List;
        const start = typeof l.start === 'number' ? l.start : 1;
        l.items.forEach((item, i) => {
          const bullet = item.task ? (item.checked ? '[x] ' : '[ ] ') : l.ordered ? `${start + i}. ` : '• ';
          const inner = renderBlocks(item.tokens, st, width - bullet.length);
          inner.forEach((line, j) => out.push(line === '' ? '' : (j === 0 ? bullet : ' '.repeat(bullet.length)) + line));
        });
        break;
      }
      case 'code': {
        gap();
        for (const line of (t as Tokens.Code).text.split('\n')) out.push(`  ${st.code(line)}`);
        break;
      }
      case 'blockquote': {
        gap();
        for (const line of renderBlocks((t as Tokens.Blockquote).tokens, st, width - 2)) out.push(st.dim('│ ') + line);
        break;
      }
      case 'hr':
        gap();
        out.push(st.dim('-'.repeat(Math.min(width, 40))));
        break;
      case 'table': {
        gap();
        const tb = t as Tokens.Table;
        const cell = (c: Tokens.TableCell) => layout(inlineWords(c.tokens, st), 1000)[0] ?? '';
        out.push(st.bold(tb.header.map(cell).join(' | ')));
        for (const r of tb.rows) out.push(r.map(cell).join(' | '));
        break;
      }
      case 'html':
        gap();
        out.push(...wrapText((t as Tokens.HTML).text.trim(), width));
        break;
      default:
        if ('raw' in t && typeof t.raw === 'string') out.push(...wrapText(t.raw.trim(), width));
    }
  }
  return out;
}

/** Markdown's soft line breaks (one newline inside a paragraph) are spaces. */
function softBreaks(md: string): string {
  return md.trim().replace(/([^\n])\n(?=[^\n])/g, '$1 ');
}

function unescape(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
