// The built `oncall` in a real terminal (tmux): start an incident, run the example runbook through
// its decision and its write confirmation, add a note, quit, relaunch, resume, finish; then the
// journal must hold every decision and verify. Also: the terminal is restored on exit, and
// NO_COLOR removes colour. Skips loudly without tmux locally; fails under CI=true.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, oncall, startDemo, tempDir } from '../helpers/cli.js';
import { readJournal } from '../../src/journal/reader.js';
import { incidentRecords } from '../helpers/journal.js';
import { journalPath } from '../../src/journal/paths.js';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const inCI = process.env.CI === 'true';

let sessions = 0;

/** One tmux server of our own (its own socket), one window running a command. */
class Terminal {
  readonly socket = `oncall-e2e-${process.pid}-${++sessions}`;
  constructor(
    readonly columns = 120,
    readonly rows = 40,
  ) {}

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Runs the command from a shell that stays, as when a person types it: after it exits, the
   * shell prints its exit status and what oncall left on the (primary) screen stays visible.
   */
  start(command: string[], env: Record<string, string>): void {
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const script = '"$@"; echo "[oncall exited $?]"; exec sleep 3600';
    // What the test runner's environment says about itself must not reach oncall: under CI=true a
    // person is never at the terminal (oncall would refuse to open), and FORCE_COLOR=0 would
    // override the terminal and NO_COLOR. Here a person is at a real terminal.
    const unset = Object.keys(process.env)
      .filter((k) => k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_') || k === 'FORCE_COLOR')
      .flatMap((k) => ['-u', k]);
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(this.columns), '-y', String(this.rows), '-c', ROOT, 'sh', '-c', script, 'sh', 'env', ...unset, ...envArgs, ...command);
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
  }

  /** When the screen last showed what a test waited for (a prompt, usually). */
  private seen = 0;

  /**
   * Keys, as a person types them: one that answers a prompt (Enter, y, a digit) comes after the
   * prompt has been on screen a moment, as oncall ignores answers in its first 400 ms.
   */
  keys(...keys: string[]): void {
    const wait = this.seen + 450 - Date.now();
    if (wait > 0 && keys.some((k) => k === 'Enter' || k === 'y' || /^[1-9]$/.test(k))) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    for (const k of keys) this.tmux('send-keys', '-t', 'main', k);
  }

  text(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  screen(escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main');
  }


  async waitFor(what: string | RegExp | ((screen: string) => boolean), timeout = 20_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const s = this.screen();
      if (typeof what === 'string' ? s.includes(what) : what instanceof RegExp ? what.test(s) : what(s)) {
        this.seen = Date.now();
        return s;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)} in the terminal\n--- screen ---\n${s}\n---`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async waitForExit(timeout = 20_000): Promise<number> {
    const s = await this.waitFor(/\[oncall exited \d+\]/, timeout);
    return Number(/\[oncall exited (\d+)\]/.exec(s)![1]);
  }

  /** The pane's title: what an OSC 0 or 2 sequence printed in it sets. */
  title(): string {
    return this.tmux('display-message', '-p', '-t', 'main', '#{pane_title}').trim();
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

if (!hasTmux && !inCI) {
  console.warn('\n\n**************************************************************\n*  SKIPPING the TUI end-to-end test: tmux is not installed.    *\n*  Install tmux (apt-get install tmux) to run it; CI does.     *\n**************************************************************\n');
}

describe.runIf(hasTmux || inCI)('oncall in a real terminal (tmux)', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let stateFile: string;
  const terminals: Terminal[] = [];

  beforeAll(async () => {
    if (!hasTmux) throw new Error('tmux is required for the TUI end-to-end test under CI (.ci/run installs it)');
    stateFile = join(tempDir(), 'demo.json');
    writeFileSync(stateFile, JSON.stringify({ proxy_timeout_ms: 200, backend_latency_ms: 350 }));
    demo = await startDemo(stateFile);
  });
  afterAll(async () => {
    for (const t of terminals) t.close();
    await demo?.stop();
  });

  const oncallCmd = [process.execPath, BIN, '--runbooks', 'examples'];

  it('starts an incident, decides, confirms, notes, quits, resumes and finishes; the journal holds it all', async () => {
    const stateDir = tempDir();
    const env = { ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'e2e', TERM: 'xterm-256color', HOME: tempDir(), PATH: process.env.PATH ?? '' };
    const t = new Terminal();
    terminals.push(t);
    t.start(oncallCmd, env);

    await t.waitFor('+ New incident');
    t.keys('Enter');
    await t.waitFor('Then pick the runbook to follow.');
    t.text('E2E checkout 504s');
    t.keys('Enter', 'Enter', 'Enter');
    await t.waitFor(/\d+ of \d+/);
    t.text("'local-504");
    await t.waitFor(/filter: 'local-504.*\n+ > local-504/);
    t.keys('Enter');
    await t.waitFor('Inputs for local-504');
    t.keys('C-u');
    t.text(demo.url);
    t.keys('Enter', 'C-u');
    t.text(stateFile);
    t.keys('Enter', 'Enter');
    let s = await t.waitFor('Next: Reproduce the error');
    const id = /inc-\d{8}-\d{6}-[a-z2-7]{4}/.exec(s)![0];
    expect(s).toContain('LIVE');
    expect(s).toContain('E2E checkout 504s');

    t.keys('Enter');
    await t.waitFor('Next: Read the proxy timeout');
    t.keys('Enter');
    await t.waitFor('Next: Decide what causes the 504s');
    t.keys('Enter');
    await t.waitFor('◆ What causes the 504s?');
    s = await t.waitFor('← the evidence suggests this');
    expect(s).toMatch(/> 1\. The proxy timeout is shorter/);
    t.keys('Enter'); // the option the timings suggest (highlighted): raise the timeout
    await t.waitFor('Next: Raise the proxy timeout');
    t.keys('Enter');
    s = await t.waitFor('Confirm change');
    expect(s).toContain('set-timeout 1000');
    t.keys('Right', 'Enter'); // Cancel is the default; move to Approve
    await t.waitFor('Next: Wait until the service answers 200');
    t.keys('n');
    await t.waitFor('Note for the journal');
    t.text('proxy timeout raised from the TUI');
    t.keys('Enter');
    await t.waitFor('note added');
    t.keys('q');
    expect(await t.waitForExit()).toBe(0);
    s = t.screen();
    // The alternate screen is gone: only what oncall printed after it remains.
    expect(s).toContain(`incident ${id} stays open; resume it with 'oncall'`);
    expect(s).not.toContain('Steps');

    const t2 = new Terminal();
    terminals.push(t2);
    t2.start(oncallCmd, env);
    s = await t2.waitFor(id);
    expect(s).toMatch(new RegExp(`${id}\\s+SEV3\\s+E2E checkout 504s\\s+local-504@1\\.0\\.0\\s+4/7 steps`));
    t2.keys('Down', 'Enter');
    await t2.waitFor('Next: Wait until the service answers 200');
    t2.keys('Enter');
    await t2.waitFor('Next: Post an update in the incident channel');
    t2.keys('Enter');
    await t2.waitFor('◆ Done?');
    t2.keys('Enter');
    await t2.waitFor('Runbook completed');
    t2.keys('t');
    s = await t2.waitFor('Timeline');
    expect(s).toMatch(/\+00:00:\d\d ✎ e2e: proxy timeout raised from the TUI/);
    t2.keys('Escape');
    await t2.waitFor((x) => !x.includes('Timeline'));
    t2.keys('q');
    expect(await t2.waitForExit()).toBe(0);
    expect(t2.screen()).toContain(`incident ${id}: runbook completed.`);

    const { records } = await readJournal(journalPath(stateDir, id));
    const evs = incidentRecords(records) as { type: string; payload: any }[];
    expect(evs.find((e) => e.type === 'decision.made' && e.payload.step === 'diagnose')?.payload).toMatchObject({ value: 'raise-timeout', by: 'e2e' });
    expect(evs.find((e) => e.type === 'confirm.given')?.payload).toMatchObject({ step: 'raise-timeout', approved: true, by: 'e2e' });
    expect(evs.find((e) => e.type === 'note.added')?.payload).toMatchObject({ text: 'proxy timeout raised from the TUI', by: 'e2e' });
    expect(evs.filter((e) => e.type === 'incident.resumed')).toHaveLength(1);
    expect(evs.at(-1)).toMatchObject({ type: 'run.finished', payload: { outcome: 'completed' } });
    const verify = await oncall(['verify', id], { stateDir });
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('npm start opens the drill picker; a drill played by keys ends on its score, journaled apart as DRILL', async () => {
    const stateDir = tempDir();
    const env = { ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'e2e', TERM: 'xterm-256color', HOME: tempDir(), PATH: process.env.PATH ?? '' };
    const t = new Terminal();
    terminals.push(t);
    // The README's `npm start`, minus its prestart build: the suite already built dist, and a
    // rebuild would swap dist/ under the other tests running now.
    t.start(['npm', 'start', '--silent', '--ignore-scripts'], env);
    let s = await t.waitFor(/Practice drill.*\d+ of \d+/);
    expect(s.split('\n')[0]).toMatch(/^ DRILL {3}oncall/);
    t.text('short-timeout');
    await t.waitFor(/> local-504-short-timeout[\s\S]*\[FIRING\] checkout-edge/);
    t.keys('Enter');
    await t.waitFor('Next: Reproduce the error');
    t.keys('Enter');
    await t.waitFor('Next: Read the proxy timeout');
    t.keys('Enter');
    await t.waitFor('Next: Decide what causes the 504s');
    t.keys('Enter');
    await t.waitFor('◆ What causes the 504s?');
    t.keys('1');
    await t.waitFor('Next: Raise the proxy timeout');
    t.keys('Enter');
    await t.waitFor('Approve');
    t.keys('y');
    await t.waitFor('Next: Wait until the service');
    t.keys('Enter');
    await t.waitFor('Next: Post an update');
    t.keys('Enter');
    await t.waitFor(/Post an update[\s\S]*enter done/);
    t.keys('Enter');
    s = await t.waitFor('DRILL PASSED');
    expect(s).toMatch(/Time to mitigate\s+1[45] min \d+ s \(target 20 min\)/);
    const id = /inc-\d{8}-\d{6}-[a-z2-7]{4}/.exec(s)![0];
    t.keys('q');
    expect(await t.waitForExit()).toBe(0);
    // Back on the primary screen, the score stays in the scrollback for the post-mortem of the drill.
    expect(t.screen()).toContain('drill PASSED: local-504-short-timeout');
    const { records } = await readJournal(journalPath(join(stateDir, 'drills'), id));
    expect(records[0]?.payload).toMatchObject({ mode: 'drill' });
    expect(incidentRecords(records).at(-1)).toMatchObject({ type: 'drill.scored', payload: { passed: true } });
    const listed = await oncall(['incidents', '--json'], { stateDir });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it("a step's output and an input with escape sequences neither retitle nor clear the terminal, headless or in the TUI (#17)", async () => {
    const HOSTILE = 'a\u001b]0;pwned\u0007b \u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\ \u001b[2Jcleared\u001b[3;1Hmoved 10%\r20%';
    const dir = tempDir();
    writeFileSync(
      join(dir, 'vt.yaml'),
      `id: vt
title: Terminal sequences
version: 1.0.0
summary: Prints escape sequences
inputs:
  note: { type: string, default: ${JSON.stringify(HOSTILE).replace(/\\u001b/g, '\\e').replace(/\\u0007/g, '\\a')} }
steps:
  - id: show
    title: Show
    kind: shell
    with:
      argv: [node, -e, "process.stdout.write(process.argv[1] + '\\\\n')", "\${{ inputs.note }}"]
      effect: read
`,
    );
    const env = { ONCALL_STATE_DIR: tempDir(), ONCALL_OPERATOR: 'e2e', TERM: 'xterm-256color', HOME: tempDir(), PATH: process.env.PATH ?? '' };

    const headless = new Terminal();
    terminals.push(headless);
    headless.start([process.execPath, BIN, 'run', join(dir, 'vt.yaml'), '--input', `note=${HOSTILE}`], env);
    expect(await headless.waitForExit(), headless.screen()).toBe(0);
    let s = headless.screen();
    // Nothing was cleared or overwritten: the first line is still there, and the words are shown.
    expect(s).toMatch(/incident inc-\S+ opened: Terminal sequences/);
    expect(s).toContain('click clearedmoved 10%␍20%');
    expect(headless.title()).not.toContain('pwned');

    const tui = new Terminal();
    terminals.push(tui);
    tui.start([process.execPath, BIN, '--runbooks', dir], env);
    await tui.waitFor('+ New incident');
    tui.keys('Enter');
    await tui.waitFor('Then pick the runbook to follow.');
    tui.keys('Enter', 'Enter', 'Enter');
    await tui.waitFor(/\d+ of \d+/);
    tui.text("'vt");
    await tui.waitFor(/> vt/);
    tui.keys('Enter');
    s = await tui.waitFor('Inputs for vt');
    expect(s).toContain('click');
    tui.keys('Enter');
    await tui.waitFor('Next: Show');
    tui.keys('Enter');
    s = await tui.waitFor('Runbook completed');
    expect(s).toContain('click clearedmoved 10%␍20%');
    tui.keys('t');
    await tui.waitFor('Timeline');
    expect(tui.title()).not.toContain('pwned');
    tui.keys('Escape');
    await tui.waitFor((x) => !x.includes('Timeline'));
    tui.keys('q');
    expect(await tui.waitForExit()).toBe(0);
    expect(tui.title()).not.toContain('pwned');
  });

  it('honours NO_COLOR, and narrow terminals keep the header on one line', async () => {
    const env = { ONCALL_STATE_DIR: tempDir(), TERM: 'xterm-256color', HOME: tempDir(), PATH: process.env.PATH ?? '' };
    const colour = new Terminal();
    const plain = new Terminal(60, 20);
    terminals.push(colour, plain);
    colour.start(oncallCmd, env);
    plain.start(oncallCmd, { ...env, NO_COLOR: '1' });
    await colour.waitFor('+ New incident');
    await plain.waitFor('+ New incident');
    // SGR colour parameters: 30–37, 90–97 (foreground), 38;…, 40–47, 100–107 (background).
    // eslint-disable-next-line no-control-regex
    const COLOUR = /\u001b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;
    expect(colour.screen(true)).toMatch(COLOUR);
    expect(plain.screen(true)).not.toMatch(COLOUR);
    expect(plain.screen().split('\n')[0]).toMatch(/^ LIVE {3}oncall/);
    // A real resize: the header loses segments instead of wrapping, and the layout follows.
    colour.resize(30, 15);
    const narrow = await colour.waitFor((x) => x.includes('+ New incident') && !x.includes('aws'));
    expect(narrow.split('\n')[0]).toMatch(/^ LIVE {3}oncall\s*$/);
    expect(Math.max(...narrow.split('\n').map((l) => l.length))).toBeLessThanOrEqual(30);
    colour.keys('q');
    plain.keys('q');
    expect(await colour.waitForExit()).toBe(0);
    expect(await plain.waitForExit()).toBe(0);
  });
});
