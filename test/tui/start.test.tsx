// Start screen, new-incident form, runbook picker and inputs form.
import { fill, journal, KEY, renderTui, runbookDir, seedIncident, tempDir, toInputs, useDemo } from './helpers.js';
import { describe, expect, it } from 'vitest';

const demo = useDemo();
const stateFile = demo.stateFile;

const SECRET_RUNBOOK = `
id: secret-echo
title: Check a token against the API
version: 1.0.0
summary: Sends a token to a local check and prints what it got back
tags: [auth, tokens]
inputs:
  token:
    type: string
    secret: true
    pattern: '^[a-z0-9]{8,}$'
    description: The API token (never shown or journaled)
  region:
    type: enum
    values: [eu-west-1, us-east-1]
    default: eu-west-1
  dry_run:
    type: boolean
    default: true
steps:
  - id: echo
    title: Echo the token
    kind: shell
    with:
      argv: [node, -e, "console.log('token is ' + process.argv[1])", "\${{ inputs.token }}"]
      effect: read
`;

const OTHER_RUNBOOK = `
id: disk-full
title: Disk full on a database host
version: 2.1.0
summary: Find what filled the disk and free space safely
tags: [postgres, storage]
steps:
  - id: look
    title: Look at the disk
    kind: manual
    with:
      instruction: Run df -h on the host.
`;

describe('start screen', () => {
  it('offers a new incident and lists open incidents newest first with runbook, progress and age; Enter resumes', async () => {
    const stateDir = tempDir();
    const older = await seedIncident(stateDir, { url: demo.url, stateFile, title: 'Older one', openedAgoMs: 5 * 60_000 });
    const newer = await seedIncident(stateDir, { url: demo.url, stateFile, title: 'Newer one', severity: 'SEV1' });
    const t = renderTui({ stateDir });
    let f = await t.waitFor('Incidents to go on with, newest first (2)');
    expect(f).toContain('> + New incident');
    const lines = f.split('\n');
    const iNew = lines.findIndex((l) => l.includes(newer));
    const iOld = lines.findIndex((l) => l.includes(older));
    expect(iNew).toBeGreaterThan(0);
    expect(iNew).toBeLessThan(iOld);
    expect(lines[iNew]).toMatch(/SEV1\s+Newer one\s+local-504@1\.0\.0\s+2\/7 steps\s+opened \d+s ago/);
    expect(lines[iOld]).toMatch(/SEV2\s+Older one\s+local-504@1\.0\.0\s+2\/7 steps\s+opened 5m ago/);
    t.press(KEY.down);
    await t.waitFor(new RegExp(`> ${newer}`));
    t.press(KEY.down, KEY.down, KEY.down); // stops at the last one
    await t.waitFor(new RegExp(`> ${older}`));
    t.press(KEY.up, KEY.enter);
    // The decision was never answered: it is asked again, after its gate.
    await t.waitFor('Next: Decide what causes the 504s');
    t.press(KEY.enter);
    await t.waitFor('◆ What causes the 504s?');
    expect(t.state().incidentId).toBe(newer);
    f = t.frame();
    expect(f).toContain('✓ Reproduce the error');
    expect(f).toContain('Newer one');
    await t.close();
    const records = await journal(stateDir, newer);
    expect(records.some((r) => r.type === 'incident.resumed' && r.payload.operator === 'tester')).toBe(true);
  });

  it('says when there are no open incidents, and q quits', async () => {
    const t = renderTui();
    await t.waitFor('No open incidents.');
    t.press('q');
    await t.until((s) => s.exit !== undefined);
    expect(t.state().exit).toEqual({ code: 0, message: undefined });
  });
});

describe('new incident form', () => {
  it('takes title, severity (←→) and service, and Esc goes back', async () => {
    const t = renderTui();
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    const f = await t.waitFor('Then pick the runbook to follow.');
    expect(f).toMatch(/> Title/);
    expect(f).toContain("the runbook's title");
    t.type('API 5xx');
    t.press(KEY.tab);
    await t.waitFor(/> Severity\s+< SEV3 >/);
    t.press(KEY.left, KEY.left);
    await t.waitFor(/< SEV1 >/);
    t.press(KEY.down);
    t.type('payments');
    await t.waitFor('payments');
    expect(t.state().form?.values).toEqual({ title: 'API 5xx', severity: 'SEV1', service: 'payments' });
    t.press(KEY.esc);
    await t.waitFor('+ New incident');
    expect(t.state().screen.kind).toBe('start');
  });
});

describe('runbook picker', () => {
  it('filters with fzf over id, title, tags and summary, and previews summary, inputs and steps', async () => {
    const dir = runbookDir({ 'secret.yaml': SECRET_RUNBOOK, 'disk.yaml': OTHER_RUNBOOK });
    const t = renderTui({ runbookDirs: [dir] });
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('Then pick');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    // The bundled runbooks are on the search path too; the count is whatever it holds.
    await t.until((s) => !s.runbooks.loading && s.matches.length > 0);
    const all = t.state().runbooks.list.length;
    await t.waitFor(`${all} of ${all}`);
    // Sorted by id; the first is highlighted and previewed.
    expect(t.state().matches[0]?.item.id).toBe([...t.state().runbooks.list.map((r) => r.id)].sort()[0]);
    // A tag: its runbook ranks first (fzf also keeps weaker, scattered matches below it).
    t.type('postgres');
    await t.until((s) => s.filter === 'postgres');
    expect(t.state().matches[0]?.item.id).toBe('disk-full');
    expect(t.state().matches.map((m) => m.item.id)).not.toContain('secret-echo');
    let f = await t.waitFor('Look at the disk');
    expect(f).toMatch(/> disk-full Disk full on a database host/);
    expect(f).toContain('Find what filled the disk and free space safely');
    expect(f).toContain('tags: postgres, storage');
    // fzf's extended syntax: an exact term.
    t.press(KEY.ctrlU);
    t.type("'storage");
    f = await t.waitFor(`1 of ${all}`);
    expect(f).toMatch(/> disk-full/);
    // Words of the summary, fuzzy, all of them must match.
    for (let i = 0; i < "'storage".length; i++) t.press(KEY.backspace);
    await t.waitFor(`${all} of ${all}`);
    t.type('proxy tmout');
    await t.until((s) => s.filter === 'proxy tmout');
    expect(t.state().matches[0]?.item.id).toBe('local-504');
    await t.waitFor(/> local-504/);
    // The preview shows the inputs and the steps of the highlighted runbook.
    f = await t.waitFor('Wait until the service answers 200');
    expect(f).toMatch(/url string = http:\/\/127\.0\.0\.1:8504/);
    expect(f).toMatch(/new_timeout_ms number = 1000/);
    expect(f).toMatch(/1\. Reproduce the error \(probe, http\)/);
    t.press(KEY.ctrlU);
    t.type('zzzzqqq');
    await t.waitFor('Nothing matches.');
    t.press(KEY.ctrlU);
    t.type("'secret-echo");
    f = await t.waitFor(`1 of ${all}`);
    expect(f).toMatch(/token\s+string\s+secret/);
    t.press(KEY.esc);
    await t.waitFor('Then pick');
  });
});

describe('inputs form', () => {
  it('shows defaults and help, validates as you type, masks secrets and keeps them out of every frame', async () => {
    const dir = runbookDir({ 'secret.yaml': SECRET_RUNBOOK });
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await toInputs(t, 'secret');
    let f = await t.waitFor('Inputs for secret-echo');
    expect(f).toMatch(/> token\s+required/);
    expect(f).toContain('token: The API token (never shown or journaled) | pattern ^[a-z0-9]{8,}$ | secret');
    expect(f).toMatch(/region\s+eu-west-1/);
    expect(f).toMatch(/dry_run\s+true/);
    t.type('SHORT');
    f = await t.waitFor('does not match the pattern');
    expect(f).toContain('•••••');
    expect(f).not.toContain('SHORT');
    t.press(KEY.ctrlU);
    t.type('s3cr3ttoken42');
    f = await t.waitFor('•••••••••••••');
    expect(f).not.toContain('does not match');
    expect(f).not.toContain('s3cr3ttoken42');
    t.press(KEY.tab, KEY.right);
    await t.waitFor(/< us-east-1 >/);
    t.press(KEY.tab, KEY.left);
    await t.waitFor(/< false >/);
    t.press(KEY.enter);
    f = await t.waitFor('Next: Echo the token');
    // The engine's request is redacted before it is drawn.
    expect(f).toContain('[redacted:token]');
    t.press(KEY.enter);
    await t.waitFor('token is [redacted:token]');
    await t.waitFor('Runbook completed');
    const all = t.controller.store.getState();
    expect(JSON.stringify(all.output)).not.toContain('s3cr3ttoken42');
    expect(t.frame()).not.toContain('s3cr3ttoken42');
    const id = all.incidentId!;
    await t.close();
    const records = await journal(stateDir, id);
    expect(JSON.stringify(records)).not.toContain('s3cr3ttoken42');
    expect(records.find((r) => r.type === 'runbook.attached')?.payload.inputs).toMatchObject({ token: '[redacted:token]', region: 'us-east-1', dry_run: false });
  });

  it('refuses to go on with an invalid value and points at it', async () => {
    const t = renderTui();
    await toInputs(t, 'local');
    await t.waitFor('Inputs for local-504');
    fill(t, 'https://example.com');
    await t.waitFor(/> state/);
    t.press(KEY.enter, KEY.enter);
    const f = await t.waitFor(/url: 'https:\/\/example\.com' does not match/);
    expect(f).toMatch(/> url/);
    expect(t.state().screen.kind).toBe('inputs');
    t.press(KEY.esc);
    await t.waitFor('filter:');
  });
});
