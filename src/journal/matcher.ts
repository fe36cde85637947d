// Many strings found in one pass over a text (Aho-Corasick), for the redactor: with thousands of
// secrets registered (every value of a large .env, each in several forms), one alternation regex
// costs memory and time that grow with the number of secrets; this grows with the text.
//
// Works on UTF-16 code units, as JavaScript strings index. Transitions live in one Map keyed by
// node and code unit, so a 300,000-node automaton is one Map, not 300,000 of them.

const UNITS = 0x10000;

/** One occurrence of pattern `index` at text[start, end). */
export interface Hit {
  start: number;
  end: number;
  index: number;
}

/** A suffix of what was scanned that is also a prefix of at least one pattern. */
export interface Partial {
  /** Its length (code units). */
  length: number;
  /** The bitwise OR of the flags of every pattern it is a prefix of. */
  flags: number;
  /** One pattern it is a prefix of (the first added). */
  index: number;
}

export class Matcher {
  readonly #next = new Map<number, number>();
  readonly #depth: number[] = [0];
  /** Per node: the OR of the flags of every pattern through it. */
  readonly #flags: number[] = [0];
  /** Per node: the first pattern through it. */
  readonly #via: number[] = [-1];
  /** Per node: the pattern that ends exactly here, or -1. */
  readonly #ends: number[] = [-1];
  #fail: Int32Array = new Int32Array(1);
  /** Per node: the nearest node on its fail chain (itself excluded) where a pattern ends, or 0. */
  #out: Int32Array = new Int32Array(1);
  readonly #lengths: number[] = [];

  /** `flags` (per pattern, optional) are the caller's: partial() reports them back. Empty patterns are ignored. */
  constructor(patterns: readonly string[], flags: readonly number[] = []) {
    const parent: number[] = [0];
    const unit: number[] = [0];
    patterns.forEach((p, i) => {
      this.#lengths.push(p.length);
      if (p === '') return;
      let node = 0;
      const f = flags[i] ?? 0;
      this.#flags[0]! |= f;
      for (let k = 0; k < p.length; k++) {
        const key = node * UNITS + p.charCodeAt(k);
        let child = this.#next.get(key);
        if (child === undefined) {
          child = this.#depth.length;
          this.#next.set(key, child);
          this.#depth.push(k + 1);
          this.#flags.push(0);
          this.#via.push(i);
          this.#ends.push(-1);
          parent.push(node);
          unit.push(p.charCodeAt(k));
        }
        this.#flags[child]! |= f;
        node = child;
      }
      if (this.#ends[node] === -1) this.#ends[node] = i;
    });
    this.#link(parent, unit);
  }

  get size(): number {
    return this.#depth.length;
  }

  /** Fail links in order of depth: a node's fail link is found from its parent's. */
  #link(parent: number[], unit: number[]): void {
    const n = this.#depth.length;
    this.#fail = new Int32Array(n);
    this.#out = new Int32Array(n);
    const order = Array.from({ length: n - 1 }, (_, i) => i + 1).sort((a, b) => this.#depth[a]! - this.#depth[b]!);
    for (const v of order) {
      const p = parent[v]!;
      let f = 0;
      if (p !== 0) {
        f = this.#fail[p]!;
        for (;;) {
          const to = this.#next.get(f * UNITS + unit[v]!);
          if (to !== undefined) {
            f = to;
            break;
          }
          if (f === 0) break;
          f = this.#fail[f]!;
        }
      }
      this.#fail[v] = f;
      this.#out[v] = this.#ends[f] !== -1 ? f : this.#out[f]!;
    }
  }

  #step(state: number, code: number): number {
    for (;;) {
      const to = this.#next.get(state * UNITS + code);
      if (to !== undefined) return to;
      if (state === 0) return 0;
      state = this.#fail[state]!;
    }
  }

  /**
   * Every occurrence of every pattern in `text`, overlapping ones included, in order of their end.
   * Returns the state after the last code unit, for partial().
   */
  scan(text: string, visit: (hit: Hit) => void): number {
    let state = 0;
    if (this.#depth.length === 1) return 0;
    for (let i = 0; i < text.length; i++) {
      state = this.#step(state, text.charCodeAt(i));
      for (let v = this.#ends[state] !== -1 ? state : this.#out[state]!; v !== 0; v = this.#out[v]!) {
        const index = this.#ends[v]!;
        visit({ start: i + 1 - this.#lengths[index]!, end: i + 1, index });
      }
    }
    return state;
  }

  /**
   * The suffixes of the scanned text (ending in `state`, as scan() returned it) that are prefixes
   * of some pattern, longest first. A text cut short ends in one of these when a pattern was cut.
   */
  *partials(state: number): Generator<Partial> {
    for (let v = state; v !== 0; v = this.#fail[v]!) yield { length: this.#depth[v]!, flags: this.#flags[v]!, index: this.#via[v]! };
  }
}
