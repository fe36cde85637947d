#!/usr/bin/env node
// TUI benchmark, in a real pty (util-linux `script`), same Node, same run:
//   (a) launch to first interactive frame of `oncall` vs a bundled, production-mode Ink
//       hello-world (bundled here with esbuild)                                target: <= 1.25x
//   (b) key press to updated frame with an incident of 10,000 journal events   target: p95 <= 16 ms
//   (c) idle RSS with that incident                                            target: <= 150 MB
// The 10,000-event journal is written with the real JournalWriter (bundled from the sources).
// Needs `npm run build` first (npm run bench does it). Exits 1 if a target is missed.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist/oncall.js');
const RUNS = Number(process.env.TUI_BENCH_RUNS ?? 15);
const PRESSES = Number(process.env.TUI_BENCH_PRESSES ?? 100);
const EVENTS = 10_000;
const COLS = 120;
const ROWS = 40;

if (!existsSync(BIN)) {
  console.error('bench/tui: dist/oncall.js is missing; run `npm run build` (or `npm run bench`)');
  process.exit(1);
}
if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('bench/tui: needs `script` (util-linux) for a real pty');
  process.exit(1);
}

const BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/** Bundles like scripts/build.mjs does (ESM, split chunks, production React); returns the entry file. */
async function bundle(contents, file, loader = 'js') {
  const name = basename(file, '.mjs');
  const outdir = join(dirname(file), name);
  await build({
    stdin: { contents, resolveDir: ROOT, loader, sourcefile: `${name}.${loader}` },
    bundle: true,
    splitting: true,
    outdir,
    entryNames: name,
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minifySyntax: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    // Ink imports React DevTools only when DEV is set (as in scripts/build.mjs).
    external: ['react-devtools-core'],
    supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true },
    banner: { js: BANNER },
    logLevel: 'error',
  });
  return join(outdir, `${name}.mjs`);
}

/** The environment of a person at a terminal: no CI markers, colour decided by the terminal. */
function personEnv(extra = {}) {
  const env = { ...process.env, TERM: 'xterm-256color', ...extra };
  for (const k of Object.keys(env)) if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_') || k === 'FORCE_COLOR') delete env[k];
  return env;
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** A program in a pty of COLS×ROWS. Output is collected; `waitFor` resolves at the first match after a mark. */
function inPty(argv, env) {
  const cmd = `stty cols ${COLS} rows ${ROWS}; exec ${argv.map(quote).join(' ')}`;
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let from = 0;
  const waiters = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (out.indexOf(w.marker, w.from) !== -1) {
        waiters.splice(i, 1);
        w.resolve(performance.now());
      }
    }
  };
  child.stdout.on('data', (d) => {
    out += d.toString('utf8');
    check();
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    t0,
    child,
    exited,
    /** Marks the current end of the output: later waits only look past it. */
    mark() {
      // Later waits never look before the mark: drop all but a tail (kept for error messages), so
      // matching a frame does not cost a search of (and a copy into) everything written so far.
      const dropped = Math.max(0, out.length - 2000);
      out = out.slice(dropped);
      for (const w of waiters) w.from = Math.max(0, w.from - dropped);
      from = out.length;
    },
    waitFor(marker, timeout = 15_000) {
      return new Promise((resolve, reject) => {
        const w = { marker, from, resolve };
        waiters.push(w);
        check();
        setTimeout(() => {
          if (waiters.includes(w)) reject(new Error(`timed out waiting for ${JSON.stringify(marker)}; last output:\n${out.slice(-1500)}`));
        }, timeout).unref();
      });
    },
    write(data) {
      child.stdin.write(data);
    },
    /** The pid of the program itself (script → program, via exec). */
    programPid() {
      try {
        const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        return Number(kids[0]);
      } catch {
        return undefined;
      }
    },
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

const work = mkdtempSync(join(tmpdir(), 'oncall-bench-tui-'));
let ok = true;
try {
  // ── (a) launch to first interactive frame ──────────────────────────────────────────────────
  const hello = await bundle(
    "import React from 'react'; import { render, Text } from 'ink'; render(React.createElement(Text, null, 'Hello from Ink'));",
    join(work, 'hello.mjs'),
  );
  const stateDir = join(work, 'state');
  const launchHello = async () => {
    const p = inPty([process.execPath, hello], personEnv());
    const t = await p.waitFor('Hello from Ink');
    await p.stop();
    return t - p.t0;
  };
  const launchOncall = async () => {
    const p = inPty([process.execPath, BIN, '--state-dir', stateDir, '--runbooks', join(ROOT, 'examples')], personEnv({ HOME: work }));
    // The first interactive frame: the start screen, where Enter already starts a new incident.
    const t = await p.waitFor('New incident');
    p.write('q');
    await p.stop();
    return t - p.t0;
  };
  const bare = async () => {
    const p = inPty([process.execPath, '-e', "process.stdout.write('READY')"], personEnv());
    const t = await p.waitFor('READY');
    await p.stop();
    return t - p.t0;
  };
  await launchHello();
  await launchOncall(); // warm-up (and Node's compile cache for oncall, as after any first run)
  const times = { bare: [], hello: [], oncall: [] };
  for (let i = 0; i < RUNS; i++) {
    times.bare.push(await bare());
    times.hello.push(await launchHello());
    times.oncall.push(await launchOncall());
  }
  const mb = median(times.bare);
  const mh = median(times.hello);
  const mo = median(times.oncall);
  const ratio = mo / mh;
  console.log(`node ${process.version}, in a ${COLS}x${ROWS} pty (script), median of ${RUNS}:`);
  console.log(`  bare node: ${mb.toFixed(1)} ms · Ink hello-world (bundled, production): ${mh.toFixed(1)} ms · oncall first frame: ${mo.toFixed(1)} ms`);
  const launchOk = ratio <= 1.25;
  console.log(`launch to first frame: ${ratio.toFixed(2)}x the Ink hello-world (target <= 1.25x) ${launchOk ? 'ok' : 'MISSED'}`);
  ok &&= launchOk;

  // ── (b, c) an incident of 10,000 journal events ────────────────────────────────────────────
  const gen = await bundle(
    `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    import { JournalWriter } from './src/journal/writer.ts';
    import { Redactor } from './src/journal/redact.ts';
    import { newIncidentId } from './src/journal/ids.ts';
    export async function generate(root, total, examplePath) {
      const id = newIncidentId();
      const w = await JournalWriter.create(root, id, { redactor: new Redactor() });
      const pending = [];
      const add = (type, payload) => { pending.push(w.append(type, payload)); };
      add('incident.opened', { title: 'Checkout 504s (bench)', severity: 'SEV2', mode: 'live', read_only: false, operator: 'bench', host: 'bench', oncall_version: 'bench' });
      const source = readFileSync(examplePath, 'utf8');
      // Resume checks the runbook against its hash: the bench journal must be one oncall would write.
      add('runbook.attached', { id: 'local-504', version: '1.0.0', hash: createHash('sha256').update(source, 'utf8').digest('hex'), file: examplePath, source, inputs: { url: 'http://127.0.0.1:9', state: '/tmp/bench-demo.json', new_timeout_ms: 1000 }, secret_inputs: [] });
      const steps = [
        { id: 'probe', kind: 'http', captures: { status: 504, latency_ms: 201 }, next: 'read-config' },
        { id: 'read-config', kind: 'shell', captures: { proxy_timeout_ms: 200, backend_latency_ms: 350 }, next: 'diagnose' },
      ];
      let n = 2;
      const notes = 400;
      const perStep = Math.floor((total - n - steps.length * 2 - notes - 3) / steps.length);
      for (const [i, s] of steps.entries()) {
        add('step.started', { step: s.id, attempt: 1, kind: s.kind, effect: 'read', intent: { summary: 'bench ' + s.id, params: {} }, write_ahead: false });
        for (let k = 0; k < perStep; k++) add('step.output', { step: s.id, attempt: 1, stream: k % 7 ? 'stdout' : 'stderr', text: 'bench output line ' + k + ' of step ' + s.id + ' ' + 'x'.repeat(40) });
        add('step.finished', { step: s.id, attempt: 1, status: 'ok', duration_ms: 1234, result: {}, summary: 'ok', captures: s.captures, assertions: [], next: s.next });
        n += perStep + 2;
        if (i === 0) {
          add('milestone.marked', { milestone: 'detected', by: 'bench' });
          n += 1;
        }
      }
      for (let k = 0; k < notes; k++) add('note.added', { text: 'bench note ' + k, by: 'bench' });
      n += notes;
      while (n < total) {
        add('note.added', { text: 'bench filler note ' + n, by: 'bench' });
        n += 1;
      }
      await Promise.all(pending);
      await w.close();
      return { id, events: n };
    }
    `,
    join(work, 'gen.mjs'),
    'ts',
  );
  const { generate } = await import(pathToFileURL(gen).href);
  const { id, events } = await generate(stateDir, EVENTS, join(ROOT, 'examples/local-504.yaml'));
  const p = inPty([process.execPath, BIN, '--state-dir', stateDir, '--runbooks', join(ROOT, 'examples'), '--resume', id], personEnv({ HOME: work }));
  await p.waitFor('Next: Decide what causes the 504s', 30_000);
  const settle = () => new Promise((r) => setTimeout(r, 60));
  await settle();
  const lat = [];
  // Alternate two views that redraw most of the screen: the timeline (a window over 10,000
  // records' worth of entries) and the runner; then the step cursor and the output pane.
  const presses = [
    ['t', 'Timeline '],
    ['t', 'Next: Decide what causes the 504s'],
    ['\u001b[A', 'captures: proxy_timeout_ms=200'],
    ['\u001b[B', 'Next: Decide what causes the 504s'],
  ];
  for (let i = 0; i < PRESSES; i++) {
    const [key, marker] = presses[i % presses.length];
    p.mark();
    const t = performance.now();
    p.write(key);
    const done = await p.waitFor(marker);
    lat.push(done - t);
    await settle(); // past Ink's frame throttle, so each press is a fresh frame
  }
  const p50 = pct(lat, 50);
  const p95 = pct(lat, 95);
  const keyOk = p95 <= 16;
  console.log(`key press to updated frame, incident of ${events.toLocaleString('en-US')} events: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${lat.length} presses (target p95 <= 16 ms) ${keyOk ? 'ok' : 'MISSED'}`);
  ok &&= keyOk;

  await new Promise((r) => setTimeout(r, 1000));
  const pid = p.programPid();
  const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const rssMb = rssKb / 1024;
  const rssOk = rssMb <= 150;
  console.log(`idle RSS with that incident: ${rssMb.toFixed(1)} MB (target <= 150 MB) ${rssOk ? 'ok' : 'MISSED'}`);
  ok &&= rssOk;
  p.write('q');
  await p.stop();
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
