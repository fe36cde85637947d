// The JSON export's `version`, on its own: the builder (timeline.ts) needs the value and the
// schema (schema.ts) documents it, and the builder must not load zod, so neither imports the other
// for it. Bump it when a field is removed, renamed or retyped (see schema.ts).
export const TIMELINE_VERSION = 1;
