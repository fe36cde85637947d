// Terminal column width of a string, good enough for layout decisions (Ink does the exact
// measuring when it draws): escape sequences take no room, wide East Asian characters and most
// emoji take two columns, combining marks none.
import { stripVTControlCharacters } from 'node:util';

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

export function stringWidth(text: string): number {
  // Most of what the TUI measures (per row, per frame) is plain ASCII: one column a character.
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let n = 0;
  for (const ch of stripVTControlCharacters(text)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || isZeroWidth(cp)) continue;
    n += isWide(cp) ? 2 : 1;
  }
  return n;
}
