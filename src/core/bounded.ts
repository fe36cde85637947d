// Keeps the tail of a long output: the journal and expressions get a bounded copy, never megabytes.
export class BoundedText {
  private parts: string[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
    while (this.size > this.limit && this.parts.length > 1) {
      const first = this.parts.shift()!;
      this.size -= first.length + 1;
      this.dropped += 1;
    }
  }

  get text(): string {
    const body = this.parts.join('\n');
    return this.dropped ? `[… ${this.dropped} earlier lines dropped]\n${body}` : body;
  }
}

/** A JSON-safe copy of a value no larger than `limit` characters when serialized. */
export function boundJson(value: unknown, limit = 16_384): unknown {
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= limit) return value;
  return { truncated: true, bytes: text.length, excerpt: text.slice(0, limit) };
}
