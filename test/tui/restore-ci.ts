// See no-ci.ts: Ink has loaded; the environment is given back as it was.
const hidden = (globalThis as { __oncallHiddenCi?: Record<string, string> }).__oncallHiddenCi ?? {};
Object.assign(process.env, hidden);
