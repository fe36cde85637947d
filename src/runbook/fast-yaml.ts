// The fast path for reading runbooks: js-yaml is about ten times faster than `yaml` on runbook-
// sized files, which `oncall validate` over a large tree needs. `yaml` stays the authority for
// anything js-yaml refuses and for pointing issues at their exact node (js-yaml keeps no positions).
// test/runbook/fast-yaml.test.ts checks that the two never disagree on a value.
import jsyaml from 'js-yaml';

const LEADING_DOT_NUMBER = /(?:^|[\s[,])[-+]?\.\d/m;

/** The document's value, or undefined when js-yaml refuses the source (then `yaml` reports why). */
export function parseYamlFast(src: string): { value: unknown } | undefined {
  // Tabs, CRs and BOMs get `yaml`'s exact diagnostics; everything else the fast reader handles.
  if (src.includes('\t') || src.includes('\r') || src.charCodeAt(0) === 0xfeff) return undefined;
  // js-yaml reads `.5` and `-.5` as strings where YAML 1.2 (and `yaml`) reads numbers.
  if (LEADING_DOT_NUMBER.test(src)) return undefined;
  try {
    // CORE_SCHEMA is YAML 1.2's: no timestamps or yes/no booleans, as `yaml` reads it.
    return { value: jsyaml.load(src, { schema: jsyaml.CORE_SCHEMA }) ?? null };
  } catch {
    return undefined;
  }
}
