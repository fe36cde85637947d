// Shared by the demo server and its control tool: the demo's whole world is one small JSON file.
import { readFileSync, writeFileSync, renameSync, appendFileSync, existsSync } from 'node:fs';

export const DEFAULT_STATE = { proxy_timeout_ms: 200, backend_latency_ms: 350 };

export function readState(file) {
  if (!existsSync(file)) return { ...DEFAULT_STATE };
  return { ...DEFAULT_STATE, ...JSON.parse(readFileSync(file, 'utf8')) };
}

/** Atomic replace, so the server never reads half a file; every change is also appended to an audit log. */
export function writeState(file, state, change) {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  appendFileSync(`${file}.audit`, `${JSON.stringify({ at: new Date().toISOString(), ...change })}\n`);
}
