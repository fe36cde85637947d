// The HTML export in a real browser (Debian's chromium, headless): the DOM it builds has the
// visual timeline and the tables, and a screenshot and a PDF are kept under test-artifacts/.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportIncident } from '../../src/export/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { hasCommand, requireSystem } from '../helpers/system.js';
import { richEntries, runRunbook, writeJournal, NODE } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const available = hasCommand(CHROMIUM, ['--version']);

function chromium(args: string[]): Promise<string> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${tempDir('oncall-chromium-')}`];
  return new Promise((ok, fail) =>
    execFile(CHROMIUM, [...flags, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => (err ? fail(new Error(`chromium failed: ${err.message}\n${stderr}`)) : ok(stdout))),
  );
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

async function render(name: string, html: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `export-${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const dom = await chromium(['--dump-dom', url]);
  const png = join(ARTIFACTS, `export-${name}.png`);
  const pdf = join(ARTIFACTS, `export-${name}.pdf`);
  await chromium([`--screenshot=${png}`, '--window-size=1280,2000', '--hide-scrollbars', url]);
  await chromium([`--print-to-pdf=${pdf}`, '--no-pdf-header-footer', url]);
  return { dom, png, pdf };
}

describe.runIf(requireSystem('chromium (Debian package chromium)', available))('HTML export in headless Chromium', () => {
  it('shows a live incident: step bars on a time axis, milestones, failures at a glance, the tables', async () => {
    const { root, id } = await writeJournal(richEntries());
    const html = await exportIncident(root, id, 'html');
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*https?:/i);
    const { dom, png, pdf } = await render('live', html);

    // The browser parsed the page as written: the chart and every section are in its DOM.
    expect(dom).toMatch(/<svg id="timeline-chart"[^>]*role="img"/);
    for (const section of ['summary', 'visual', 'details', 'impact', 'events', 'actions', 'decisions', 'confirmations', 'notes', 'errors', 'went-well', 'was-hard', 'follow-ups']) {
      expect(dom, `section #${section}`).toContain(`<section id="${section}">`);
    }
    expect(count(dom, /<text class="lane-label"/g)).toBe(6); // probe, restart, diagnose, cleanup, verify + notes & decisions
    expect(count(dom, /class="bar status-failed"/g)).toBe(2);
    expect(count(dom, /class="fail-mark"/g)).toBe(2);
    expect(dom).toMatch(/class="bar status-skipped"/);
    for (const m of ['detected', 'mitigated', 'resolved']) expect(dom).toMatch(new RegExp(`<g class="milestone m-${m}">`));
    expect(dom).toMatch(/<div class="card bad" id="failures">.*?<div class="v">1<\/div>/s);
    // One row per step run (#22): probe's two attempts and diagnose fold their start into their end.
    expect(count(dom, /<tr class="ev/g)).toBe(richEntries().filter(([, t]) => t !== 'step.output').length - 3);
    expect(count(dom, /<article class="step /g)).toBe(6);
    expect(dom).not.toContain('drill-banner');
    // Journal text stays text.
    expect(dom).toContain('Checkout | 504s &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).not.toMatch(/<script/i);

    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('shows a drill made by really running a runbook: DRILL banner, title and badge', async () => {
    const { root, id } = await runRunbook(
      `
id: drill-demo
title: Drill demo
version: 1.0.0
summary: s
steps:
  - id: look
    title: Look around
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "for (let i = 0; i < 30; i++) console.log('probe ' + i)"], effect: read }
  - id: fail
    title: Fail on purpose
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "process.exit(3)"], effect: read }
`,
      { drill: true },
    );
    const { dom } = await render('drill', await exportIncident(root, id, 'html'));
    expect(dom).toContain('<title>[DRILL] Post-mortem timeline: Drill demo</title>');
    expect(dom).toMatch(/<div class="banner drill" id="drill-banner" role="note">DRILL — practice on a simulated world/);
    expect(dom).toMatch(/<span class="badge drill" id="mode">DRILL<\/span>/);
    expect(dom).toMatch(/class="bar status-failed"/);
    expect(dom).toContain('[… 5 lines omitted …]');
  });
});
