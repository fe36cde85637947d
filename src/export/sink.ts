// Renderers write through a Lines sink in chunks of ~64 KiB, so a large export streams to its
// file instead of being built as one string (a 100k-record incident renders to ~10 MB).
export type Write = (chunk: string) => void;

const CHUNK = 1 << 16;

export class Lines {
  #buf = '';
  constructor(
    private readonly write: Write,
    /** Written after every line: '\n', or '\r\n' for CSV. */
    private readonly eol = '\n',
  ) {}

  push(...lines: string[]): void {
    for (const l of lines) this.#buf += l + this.eol;
    if (this.#buf.length >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.#buf) this.write(this.#buf);
    this.#buf = '';
  }
}

/** The whole output as one string, for callers that want it in memory (the TUI, tests). */
export function collect(render: (write: Write) => void): string {
  const parts: string[] = [];
  render((c) => parts.push(c));
  return parts.join('');
}
