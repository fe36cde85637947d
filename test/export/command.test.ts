import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { exportCommand } from '../../src/commands/export.js';
import { ExportFileExistsError, exportFileName, exportIncident, saveExport } from '../../src/export/index.js';
import { tempDir } from '../helpers/cli.js';
import { richEntries, writeJournal } from './fixtures.js';

function io(cwd = tempDir()) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  return { io: { stdout: sink(out), stderr: sink(err), env: { ONCALL_STATE_DIR: '/nonexistent-oncall-state' }, cwd }, out: () => out.join(''), err: () => err.join('') };
}

const DRILL_ID = 'inc-20260302-031200-dril';
let root: string;
let id: string;

beforeAll(async () => {
  ({ root, id } = await writeJournal(richEntries()));
  // A drill lives under <root>/drills, apart from live incidents.
  await writeJournal(
    [[0, 'incident.opened', { title: 'practice', severity: 'SEV3', mode: 'drill', read_only: false, operator: 'd', host: 'h', oncall_version: '0', drill: { scenario: 's', title: 't', page: { from: 'pd', severity: 'SEV3', text: 'x' } } }]],
    { root: join(root, 'drills'), id: DRILL_ID },
  );
});

describe('oncall export', () => {
  it('prints Markdown to stdout by default', async () => {
    const c = io();
    expect(await exportCommand([id, '--state-dir', root], c.io)).toBe(0);
    expect(c.out()).toMatch(/^# Post-mortem: /);
    expect(c.err()).toBe('');
  });

  it('is wired into the CLI', async () => {
    const c = io();
    expect(await main(['export', id, '--state-dir', root, '--format', 'csv'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^occurred_at,elapsed_s,mode,/);
  });

  it('writes --out with mode 0600, refuses to overwrite without --force, and infers the format from the name', async () => {
    const cwd = tempDir();
    const c = io(cwd);
    expect(await exportCommand([id, '--state-dir', root, '--out', 'pm.html'], c.io)).toBe(0);
    const file = join(cwd, 'pm.html');
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(c.err()).toMatch(/^wrote pm\.html: html, \d+ events, 6 step attempts\n$/);

    const again = io(cwd);
    expect(await exportCommand([id, '--state-dir', root, '--out', 'pm.html', '--format', 'json'], again.io)).toBe(2);
    expect(again.err()).toMatch(/pm\.html already exists: pass --force/);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>/);

    writeFileSync(join(cwd, 'loose.json'), 'old', { mode: 0o644 });
    const forced = io(cwd);
    expect(await exportCommand([id, '--state-dir', root, '--out', 'loose.json', '--force'], forced.io)).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'loose.json'), 'utf8')).schema).toBe('oncall.timeline');
    expect(statSync(join(cwd, 'loose.json')).mode & 0o777).toBe(0o600);
  });

  it('never writes through a symlink planted at --out', async () => {
    const cwd = tempDir();
    const target = join(cwd, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(cwd, 'link.md'));
    const c = io(cwd);
    expect(await exportCommand([id, '--state-dir', root, '--out', 'link.md'], c.io)).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });

  it('finds drills with --drill, and says so when it is missing', async () => {
    const c = io();
    expect(await exportCommand([DRILL_ID, '--state-dir', root, '--drill', '--format', 'csv'], c.io)).toBe(0);
    expect(c.out()).toContain(',DRILL,');

    const missing = io();
    expect(await exportCommand([DRILL_ID, '--state-dir', root], missing.io)).toBe(2);
    expect(missing.err()).toBe(`oncall export: no incident ${DRILL_ID} under ${root} (looked for ${join(root, 'incidents', DRILL_ID, 'journal.jsonl')}); it is a drill: add --drill\n`);

    const live = io();
    expect(await exportCommand([id, '--state-dir', root, '--drill'], live.io)).toBe(2);
    expect(live.err()).toMatch(/it is a live incident: drop --drill\n$/);
  });

  it('explains an unknown incident: where it looked, and `oncall incidents`', async () => {
    const c = io();
    expect(await exportCommand(['inc-20990101-000000-zzzz', '--state-dir', root], c.io)).toBe(2);
    expect(c.err()).toContain(`no incident inc-20990101-000000-zzzz under ${root} (looked for ${join(root, 'incidents/inc-20990101-000000-zzzz/journal.jsonl')})`);
    expect(c.err()).toContain(`list incidents with \`oncall incidents --state-dir ${root}\`, or add --drill for a practice drill`);
    expect(c.out()).toBe('');
  });

  it.each([
    [[], /name the incident to export/],
    [['a', 'b'], /one incident at a time/],
    [['../../etc/passwd'], /is not an incident id/],
    [['inc-20260302-031200-abcd', '--format', 'pdf'], /unknown format 'pdf': use one of md, html, json, csv/],
    [['inc-20260302-031200-abcd', '--force'], /--force only applies with --out/],
    [['inc-20260302-031200-abcd', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const c = io();
    expect(await exportCommand(args as string[], c.io)).toBe(2);
    expect(c.err()).toMatch(message);
    expect(c.err()).toMatch(/usage: oncall export <incident>/);
  });

  it('exits 2 when the journal is unreadable, pointing at oncall verify', async () => {
    const { root: r, id: i } = await writeJournal(richEntries());
    const file = join(r, 'incidents', i, 'journal.jsonl');
    writeFileSync(file, `not json\n${readFileSync(file, 'utf8')}`);
    const c = io();
    expect(await exportCommand([i, '--state-dir', r], c.io)).toBe(2);
    expect(c.err()).toMatch(/cannot read the journal of .*oncall verify/);
  });

  it('checks the hash chain with --verify, and still exports a broken journal with a warning', async () => {
    const { root: r, id: i } = await writeJournal(richEntries());
    const ok = io();
    expect(await exportCommand([i, '--state-dir', r, '--verify'], ok.io)).toBe(0);
    expect(ok.out()).toContain('records; hash chain intact');
    const file = join(r, 'incidents', i, 'journal.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"operator":"alice"', '"operator":"mallory"'));
    const broken = io();
    expect(await exportCommand([i, '--state-dir', r, '--verify', '--format', 'html'], broken.io)).toBe(0);
    expect(broken.err()).toMatch(/^oncall export: warning: the journal's hash chain is broken \(line 2: record 1 says the previous record hashes to/);
    expect(broken.out()).toContain('<div class="banner broken" role="alert">');
  });

  it('checks the chain by default and says a broken one in every format, CSV included; --no-verify skips it', async () => {
    const { root: r, id: i } = await writeJournal(richEntries());
    const file = join(r, 'incidents', i, 'journal.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"operator":"alice"', '"operator":"mallory"'));
    for (const format of ['md', 'html', 'json', 'csv']) {
      const out = io();
      expect(await exportCommand([i, '--state-dir', r, '--format', format], out.io)).toBe(0);
      expect(out.err(), format).toMatch(/hash chain is broken/);
      if (format === 'json') expect(JSON.parse(out.out()).journal.integrity).toMatchObject({ ok: false, problem: expect.stringMatching(/record 0 was changed/) });
      else expect(out.out(), format).toMatch(/BROKEN|broken/);
    }
    const csv = io();
    await exportCommand([i, '--state-dir', r, '--format', 'csv'], csv.io);
    expect(csv.out().split('\r\n')[1]).toMatch(/journal\.broken,,broken,JOURNAL HASH CHAIN BROKEN,/);
    const unchecked = io();
    expect(await exportCommand([i, '--state-dir', r, '--no-verify'], unchecked.io)).toBe(0);
    expect(unchecked.err()).toBe('');
    expect(unchecked.out()).toContain('hash chain not checked here');
  });

  it('saves for the TUI: saveExport streams to a 0600 file and refuses to overwrite', async () => {
    const file = join(tempDir(), 'tl.csv');
    const tl = await saveExport(root, id, 'csv', file);
    expect(tl.events.length).toBeGreaterThan(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(await exportIncident(root, id, 'csv'));
    await expect(saveExport(root, id, 'csv', file)).rejects.toBeInstanceOf(ExportFileExistsError);
    expect(exportFileName(id, 'html')).toBe(`${id}.html`);
  });

  it('cannot write into a directory that does not exist', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'd'));
    const c = io(cwd);
    expect(await exportCommand([id, '--state-dir', root, '--out', 'nope/x.md'], c.io)).toBe(2);
    expect(c.err()).toMatch(/cannot write nope\/x\.md/);
    expect(existsSync(join(cwd, 'nope'))).toBe(false);
  });
});
