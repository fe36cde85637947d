// Patterns in runbooks (inputs, typed answers) match the whole value: `INC-[0-9]+` takes
// `INC-1234`, never `see INC-1234 maybe`. One place anchors them, for every caller.
const patterns = new Map<string, RegExp>();

/** The anchored RegExp for a runbook pattern. Throws SyntaxError for an invalid pattern. */
export function patternRegExp(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, re);
  }
  return re;
}
