// Paths into a parsed document (`steps[2].with.url`): how issues say where, before yaml.ts turns
// them into file:line:col. Kept free of zod and CEL so the YAML reader stays light to import.

export type Path = (string | number)[];

export function getAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** `steps[2].with.url`, `with["Content-Type"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
