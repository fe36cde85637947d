// Many strings found in one pass over a text (Aho-Corasick), for the redactor: with thousands of
// secrets registered (every value of a large .env, each in several forms), one alternation regex
// costs memory and time that grow with the number of secrets; this grows with the text.
//
// Works on UTF-16 code units, as JavaScript strings index. While it is built, transitions live in
// one Map keyed by node and code unit; once built, in flat arrays (each node's edges sorted by code
// unit, the root's in a table of all 65,536), so a 300,000-node automaton is a handful of arrays.

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
  /** Transitions while building; dropped once the flat arrays below are made. */
  #next: Map<number, number> | undefined = new Map<number, number>();
  /** The root's child for each code unit (0: none). */
  #root = new Int32Array(0);
  /** Node v's edges are #code/#to[#first[v], #first[v + 1]), sorted by code unit. */
  #first = new Int32Array(0);
  #code = new Uint16Array(0);
  #to = new Int32Array(0);
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
      const next = this.#next!;
      for (let k = 0; k < p.length; k++) {
        const key = node * UNITS + p.charCodeAt(k);
        let child = next.get(key);
        if (child === undefined) {
          child = this.#depth.length;
          next.set(key, child);
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
    this.#flatten(parent, unit);
    this.#link(parent, unit);
  }

  /** The build-time Map as flat arrays: edges grouped by node, sorted by code unit. */
  #flatten(parent: number[], unit: number[]): void {
    const n = this.#depth.length;
    const first = new Int32Array(n + 1);
    for (let v = 1; v < n; v++) first[parent[v]! + 1]!++;
    for (let v = 0; v < n; v++) first[v + 1]! += first[v]!;
    const fill = first.slice(0, n);
    const code = new Uint16Array(Math.max(0, n - 1));
    const to = new Int32Array(Math.max(0, n - 1));
    for (let v = 1; v < n; v++) {
      const at = fill[parent[v]!]!++;
      code[at] = unit[v]!;
      to[at] = v;
    }
    for (let v = 0; v < n; v++) {
      // Insertion sort of each node's few edges by code unit (the root's are found by table).
      for (let i = first[v]! + 1; i < first[v + 1]!; i++) {
        const c = code[i]!;
        const t = to[i]!;
        let j = i - 1;
        for (; j >= first[v]! && code[j]! > c; j--) {
          code[j + 1] = code[j]!;
          to[j + 1] = to[j]!;
        }
        code[j + 1] = c;
        to[j + 1] = t;
      }
    }
    const root = new Int32Array(UNITS);
    for (let i = first[0]!; i < first[1]!; i++) root[code[i]!] = to[i]!;
    this.#first = first;
    this.#code = code;
    this.#to = to;
    this.#root = root;
    this.#next = undefined;
  }

  /** The child of `node` by code unit `c`, or -1. */
  #child(node: number, c: number): number {
    if (node === 0) return this.#root[c]! || -1;
    let lo = this.#first[node]!;
    let hi = this.#first[node + 1]! - 1;
    const code = this.#code;
    if (hi - lo < 8) {
      for (; lo <= hi; lo++) if (code[lo] === c) return this.#to[lo]!;
      return -1;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = code[mid]!;
      if (m === c) return this.#to[mid]!;
      if (m < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
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
          const to = this.#child(f, unit[v]!);
          if (to !== -1) {
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
      const to = this.#child(state, code);
      if (to !== -1) return to;
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
