// HTML: one self-contained page (inline CSS and SVG, no script, no network: the CSP forbids
// both) with the visual timeline and the same tables as the Markdown draft. Prints on A4.
import { esc, renderChart } from './chart.js';
import { formatDuration, formatElapsed, formatUtc, modeLabel, text } from './format.js';
import { confirmation, describeIdentity, drillVerdict, IN_DOUBT, milestoneSource, resourceTyped, settled } from './text.js';
import { readableRows, relate, stepStatusLabel, type Related } from './view.js';
import type { Timeline, TimelineStep } from './schema.js';
import { Lines, type Write } from './sink.js';

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--ok:#1a7f37;--fail:#cf222e;--warn:#bf8700;--skip:#8c959f;--drill:#8250df}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1260px;padding:24px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:15px;margin:0 0 6px}
code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:8px 10px;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0 0}
.sub{color:var(--muted);margin:0 0 12px}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin-bottom:12px}
.banner.drill{background:#fbefff;border:2px solid var(--drill);color:#6639ba}
.banner.broken{background:#ffebe9;border:2px solid var(--fail);color:var(--fail)}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.badge.drill{color:var(--drill)}.badge.live{color:var(--fg)}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{flex:1 1 180px;border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:18px;font-weight:600}
.card.bad{border-color:var(--fail)}.card.bad .v{color:var(--fail)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}
table.meta th{width:190px}
td.time,td.rel,td.by{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.failed td{background:#ffebe9}tr.milestone td{background:#dafbe1;font-weight:600}tr.inferred td{font-style:italic}
.body{white-space:pre-wrap}
figure{margin:0;overflow-x:auto}figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.chart{display:block;max-width:100%;height:auto;font:11px system-ui,sans-serif}
.chart .lane{fill:#fff}.chart .lane.odd{fill:#f6f8fa}.chart .notes-lane{fill:#fff8c5}
.chart .lane-label{fill:var(--fg)}.chart .axis{stroke:var(--fg)}.chart .tick{stroke:var(--line);stroke-dasharray:2 3}.chart .tick-label{fill:var(--muted)}
.chart .bar{stroke:#0003}
.chart .status-ok{fill:var(--ok)}.chart .status-failed,.chart .status-timeout{fill:var(--fail)}.chart .status-aborted{fill:var(--skip)}
.chart .status-skipped{fill:#fff;stroke:var(--skip);stroke-width:1.5}.chart .status-unfinished{fill:url(#unfinished-stripes)}
.chart .in-doubt{stroke:var(--warn);stroke-width:2}
.chart .fail-mark{fill:var(--fail);font-weight:700;font-size:13px}
.chart .note-mark{fill:var(--warn)}.chart .decision-mark{fill:#0969da}
.chart .milestone line{stroke-width:2}.chart .milestone text{font-weight:700}
.chart .milestone.inferred line{stroke-dasharray:6 4}
.chart .m-detected line{stroke:#0969da}.chart .m-detected text{fill:#0969da}
.chart .m-mitigated line{stroke:var(--warn)}.chart .m-mitigated text{fill:var(--warn)}
.chart .m-resolved line{stroke:var(--ok)}.chart .m-resolved text{fill:var(--ok)}
.legend span{margin-right:14px}.sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle;border-radius:2px}
.sw.ok{background:var(--ok)}.sw.failed{background:var(--fail)}.sw.aborted{background:var(--skip)}.sw.unfinished{background:#f59e0b}
article.step{border:1px solid var(--line);border-left:5px solid var(--ok);border-radius:6px;padding:10px 14px;margin:10px 0;break-inside:avoid}
article.step.status-failed,article.step.status-timeout{border-left-color:var(--fail)}
article.step.status-skipped,article.step.status-aborted{border-left-color:var(--skip)}
article.step.status-unfinished{border-left-color:var(--warn)}
article.step dl{display:grid;grid-template-columns:150px 1fr;gap:2px 12px;margin:4px 0}
article.step dt{color:var(--muted)}article.step dd{margin:0}
.status-failed .badge,.status-timeout .badge{color:var(--fail)}.status-ok .badge{color:var(--ok)}.status-unfinished .badge{color:var(--warn)}
.todo{color:var(--muted);font-style:italic}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@page{size:A4;margin:12mm}
@media print{
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  body{max-width:none;padding:0;font-size:10pt}
  h2{break-after:avoid}
  tr,article.step,.card,figure{break-inside:avoid}
  thead{display:table-header-group}
  pre{max-height:none}
}
`;

export function renderHtml(tl: Timeline, write: Write): void {
  const inc = tl.incident;
  const drill = tl.mode === 'drill';
  const opened = inc.opened_at ? Date.parse(inc.opened_at) : 0;
  const rel = (iso: string | null) => (iso ? formatElapsed(Date.parse(iso) - opened) : '');
  const time = (iso: string | null) => `<td class="time">${esc(formatUtc(iso))}</td>`;
  const code = (s: string) => `<code>${esc(s)}</code>`;
  const tableOpen = (head: string[], cls = '') => `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>`;
  const table = (head: string[], rows: string[], cls = '') => `${tableOpen(head, cls)}${rows.join('\n')}</tbody></table>`;
  const none = '<p class="todo">None recorded.</p>';
  const todo = '<p class="todo">To be written.</p>';
  const out = new Lines(write);
  const title = `${drill ? '[DRILL] ' : ''}Post-mortem timeline: ${inc.title || inc.id}`;

  out.push(
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load or run: the page is evidence, opened from anywhere.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="referrer" content="no-referrer">',
    `<meta name="generator" content="oncall ${esc(tl.generator.version)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body class="mode-${tl.mode}" data-incident="${esc(inc.id)}" data-mode="${modeLabel(tl.mode)}">`,
  );
  if (drill) {
    out.push(
      `<div class="banner drill" id="drill-banner" role="note">DRILL — practice on a simulated world${inc.drill ? ` (scenario ${code(inc.drill.scenario)})` : ''}. Nothing real was changed; times are simulated.</div>`,
    );
  }
  const integrity = tl.journal.integrity;
  if (integrity && !integrity.ok) out.push(`<div class="banner broken" role="alert">The journal's hash chain is broken: ${esc(integrity.problem ?? '')}. This export may not show what happened.</div>`);

  out.push(
    '<header>',
    `<h1 id="title">${drill ? '<span class="badge drill">DRILL</span> ' : ''}${esc(inc.title || inc.id)}</h1>`,
    `<p class="sub">${code(inc.id)} · <span class="badge ${tl.mode}" id="mode">${modeLabel(tl.mode)}</span> · ${esc(inc.severity)} · ${esc(inc.status)}${inc.failed_step ? ` at ${code(inc.failed_step)}` : ''} · opened ${esc(formatUtc(inc.opened_at))} UTC</p>`,
    '</header>',
  );

  // Milestones and durations, at a glance.
  const ms = new Map(tl.milestones.map((m) => [m.milestone, m]));
  const failures = tl.steps.filter((s) => (s.status === 'failed' || s.status === 'timeout') && s.retry_in_ms === null).length;
  const inDoubt = tl.steps.filter((s) => s.in_doubt).length;
  const retried = tl.steps.filter((s) => s.retry_in_ms !== null).length;
  const card = (k: string, v: string, sub: string, bad = false, id = '') => `<div class="card${bad ? ' bad' : ''}"${id ? ` id="${id}"` : ''}><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="sub">${esc(sub)}</div></div>`;
  const mcard = (name: 'detected' | 'mitigated' | 'resolved') => {
    const m = ms.get(name);
    return card(name, m ? `${rel(m.at)}` : 'not recorded', m ? `${formatUtc(m.at)} UTC, ${milestoneSource(m)}` : '', false, `milestone-${name}`);
  };
  out.push(
    '<section id="summary">',
    '<h2>Summary</h2>',
    '<div class="cards">',
    mcard('detected'),
    mcard('mitigated'),
    mcard('resolved'),
    card('time to mitigate', fmtMs(tl.durations.detected_to_mitigated_ms), 'detected → mitigated'),
    card('time to resolve', fmtMs(tl.durations.detected_to_resolved_ms), 'detected → resolved'),
    card('failures', String(failures), [inDoubt ? `${inDoubt} in doubt` : '', retried ? `${retried} failed attempt${retried === 1 ? '' : 's'} retried` : ''].filter(Boolean).join('; ') || 'no step failed', failures > 0 || inDoubt > 0, 'failures'),
    '</div>',
    todo,
    '</section>',
  );
  out.push(
    '<section id="visual"><h2>Timeline</h2><figure>',
    renderChart(tl),
    '<figcaption class="legend">' +
      '<span><i class="sw ok"></i>ok</span><span><i class="sw failed"></i>failed / timed out ✕</span>' +
      '<span><i class="sw aborted"></i>aborted</span><span><i class="sw unfinished"></i>no recorded end (? = in doubt)</span>' +
      `<span>◇ skipped</span><span>dashed lines: inferred milestones</span><span>T+ from opening${drill ? ', simulated time' : ''}; hover for details</span></figcaption>`,
    '</figure></section>',
  );
  out.push('<section id="details"><h2>Details</h2>');
  const rb = inc.runbook;
  const others = inc.operators.filter((o) => o !== inc.operator);
  const meta: [string, string][] = [
    ['Incident', code(inc.id)],
    ['Mode', drill ? '<strong>DRILL</strong> (practice on a simulated world)' : 'LIVE'],
    ['Severity', esc(inc.severity)],
    ['Service', esc(inc.service ?? 'not recorded')],
    ['Status', `${esc(inc.status)}${inc.read_only ? ' (read-only)' : ''}`],
    ['Runbook', rb ? `${code(rb.id)} ${esc(rb.version)}${rb.title ? ` — ${esc(rb.title)}` : ''} (sha256 ${code(rb.hash.slice(0, 12))})` : 'none attached'],
    ['Runbook inputs', rb ? Object.entries(rb.inputs).map(([k, v]) => code(`${k}=${text(v)}`)).join(' ') || 'none' : ''],
    ['Operator', esc(inc.operator) + (others.length ? ` (also: ${esc(others.join(', '))})` : '')],
    ['Host', esc(inc.host ?? 'not recorded')],
    ['AWS identity', esc(inc.identity.aws ? describeIdentity({ aws: inc.identity.aws, kube: null }).replace(/^AWS /, '') : 'not recorded')],
    ['Kubernetes context', esc(inc.identity.kube ? describeIdentity({ aws: null, kube: inc.identity.kube }).replace(/^kube /, '') : 'not recorded')],
    ['Outcome', esc(inc.outcome_summary ?? 'still open')],
    ['Journal', `${tl.journal.records} records; ${integrity ? (integrity.ok ? 'hash chain intact' : `<strong>hash chain broken</strong>: ${esc(integrity.problem ?? '')}`) : `hash chain not checked here (<code>oncall verify ${esc(inc.id)}</code>)`}`],
  ];
  out.push(`<table class="meta"><tbody>${meta.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td class="body">${v}</td></tr>`).join('')}</tbody></table>`, '</section>');

  out.push(
    '<section id="impact"><h2>Impact</h2>',
    `<table class="meta"><tbody>${[
      ['Who and what was affected', todo],
      ['Customer-visible duration', `${todo}<p>The journal has detected → mitigated: ${esc(fmtMs(tl.durations.detected_to_mitigated_ms))}.</p>`],
      ['Severity rationale', todo],
      ['SLOs, data, money', todo],
    ]
      .map(([k, v]) => `<tr><th scope="row">${esc(k!)}</th><td>${v}</td></tr>`)
      .join('')}</tbody></table></section>`,
  );


  // Row by row: this table grows with the journal.
  out.push(
    '<section id="events"><h2>Events</h2>',
    `<p class="sub">All times UTC; T+ counts from when the incident was opened${drill ? ' (simulated time)' : ''}.</p>`,
    tableOpen(['Time (UTC)', 'T+', 'Event', 'Took', 'Detail', 'By'], 'events'),
  );
  for (const r of readableRows(tl)) {
    out.push(
      `<tr class="ev${r.failed ? ' failed' : ''}${r.milestone ? ' milestone' : ''}${r.inferred ? ' inferred' : ''}" data-kind="${esc(r.kind)}">${time(r.at)}<td class="rel">${esc(rel(r.at))}</td><td>${esc(r.title)}</td><td class="took">${r.took !== null ? esc(formatDuration(r.took)) : ''}</td><td class="body">${esc(r.body)}</td><td class="by">${esc(r.actor)}</td></tr>`,
    );
  }
  out.push('</tbody></table>', '</section>');

  out.push('<section id="actions"><h2>Actions taken</h2>');
  if (!tl.steps.length) out.push('<p>No runbook steps ran.</p>');
  const related = relate(tl);
  tl.steps.forEach((s, i) => out.push(stepArticle(s, i + 1, rel, related[i]!)));
  out.push('</section>');

  out.push(
    '<section id="decisions"><h2>Decisions</h2>',
    tl.decisions.length
      ? table(
          ['Time (UTC)', 'Step', 'Question', 'Answer', 'By'],
          tl.decisions.map((d) => `<tr>${time(d.at)}<td>${code(d.step)}</td><td class="body">${esc(d.question)}</td><td>${code(d.value)}${d.text ? `: ${esc(d.text)}` : ''}</td><td>${esc(d.by)}</td></tr>`),
        )
      : none,
    '</section>',
    '<section id="confirmations"><h2>Confirmations</h2>',
    tl.confirmations.length
      ? table(
          ['Time (UTC)', 'Step', 'Answer', 'By', 'Reason'],
          tl.confirmations.map(
            (c) =>
              `<tr class="${c.approved ? '' : 'failed'}">${time(c.at)}<td>${code(c.step)}</td><td>${c.approved ? 'approved' : '<strong>declined</strong>'}${resourceTyped(c.typed)}${c.purpose === 'rollback' ? ' — rollback' : ''}</td><td>${esc(c.by)}</td><td class="body">${esc(c.reason ?? '')}</td></tr>`,
          ),
        )
      : none,
    '</section>',
    '<section id="notes"><h2>Notes</h2>',
    tl.notes.length ? table(['Time (UTC)', 'T+', 'By', 'Note'], tl.notes.map((n) => `<tr>${time(n.at)}<td class="rel">${esc(rel(n.at))}</td><td>${esc(n.by)}</td><td class="body">${esc(n.text)}</td></tr>`)) : none,
    '</section>',
    '<section id="errors"><h2>Errors</h2>',
    tl.errors.length
      ? table(['Time (UTC)', 'Step', 'Kind', 'Message'], tl.errors.map((e) => `<tr class="failed">${time(e.at)}<td>${e.step ? code(e.step) : ''}</td><td>${esc(e.kind)}</td><td class="body">${esc(e.message)}</td></tr>`), 'errors')
      : none,
    '</section>',
  );

  if (inc.drill) {
    const sc = inc.drill.score;
    out.push('<section id="drill-score"><h2>Drill score</h2>', `<p>Page from ${esc(inc.drill.page.from)} (${esc(inc.drill.page.severity)}):</p><pre>${esc(inc.drill.page.text)}</pre>`);
    if (sc) {
      const list = (xs: string[]) => (xs.length ? xs.map(esc).join('; ') : 'none');
      out.push(
        `<table class="meta"><tbody>` +
          `<tr><th scope="row">Result</th><td>${sc.passed ? drillVerdict(true) : `<strong>${drillVerdict(false)}</strong>`}: outcome ${esc(sc.outcome)} (expected ${esc(sc.expected_outcome)})</td></tr>` +
          `<tr><th scope="row">Time to mitigate</th><td>${sc.time_to_mitigate_s !== null ? esc(formatDuration(sc.time_to_mitigate_s * 1000)) : 'not mitigated'} (target ${sc.target_minutes} min; ${sc.simulated_minutes} simulated minutes in all)</td></tr>` +
          `<tr><th scope="row">Steps skipped</th><td>${list(sc.steps_skipped.map((s) => `${s.step} (${s.reason})`))}</td></tr>` +
          `<tr><th scope="row">Wrong turns</th><td>${list(sc.wrong_turns.map((w) => `${w.step}${w.choice ? ` chose ${w.choice}` : ''}: ${w.why}`))}</td></tr>` +
          `<tr><th scope="row">Confirmations declined</th><td>${list(sc.confirmations_declined)}</td></tr>` +
          `</tbody></table>`,
      );
    } else out.push('<p>The drill was not scored (it did not finish).</p>');
    out.push('</section>');
  }

  out.push(
    `<section id="went-well"><h2>What went well</h2>${todo}</section>`,
    `<section id="was-hard"><h2>What was hard</h2>${todo}</section>`,
    `<section id="follow-ups"><h2>Follow-ups</h2>${table(['Action', 'Owner', 'Priority', 'Ticket'], ['<tr><td class="todo">To be written.</td><td></td><td></td><td></td></tr>'])}</section>`,
    `<footer>Generated by oncall ${esc(tl.generator.version)} on ${esc(formatUtc(tl.generated_at))} UTC from the journal of incident ${code(inc.id)} (timeline schema v${tl.version}). Blameless: describe what the system and the people knew and did, not who is at fault.</footer>`,
    '</body>',
    '</html>',
  );
  out.flush();
}

function fmtMs(ms: number | null): string {
  return ms === null ? 'not recorded' : formatDuration(ms);
}

function stepArticle(s: TimelineStep, n: number, rel: (iso: string | null) => string, related: Related): string {
  const code = (x: string) => `<code>${esc(x)}</code>`;
  const dl: [string, string][] = [];
  const when = s.started_at ?? s.finished_at;
  if (s.status === 'skipped') dl.push(['Skipped', `${esc(formatUtc(s.finished_at))} UTC (${esc(rel(s.finished_at))}): ${esc(s.skip_reason ?? '')}`]);
  else {
    const took = s.duration_ms !== null ? `, took ${formatDuration(s.duration_ms)}` : '';
    const expected = s.expected_ms !== null ? ` (expected ${formatDuration(s.expected_ms)})` : '';
    dl.push(['When', esc(`${formatUtc(when)} UTC (${rel(when)}) → ${s.finished_at ? `${formatUtc(s.finished_at)} UTC` : 'no recorded end'}${took}${expected}`)]);
  }
  if (s.kind || s.effect) dl.push(['Kind', `${code(s.kind ?? '?')}, effect ${esc(s.effect ?? '?')}${s.write_ahead ? ' (intent journaled before the change)' : ''}`]);
  if (s.intent) {
    dl.push(['Intent', code(s.intent.summary)]);
    if (s.intent.api) dl.push(['API', code(s.intent.api)]);
    if (s.intent.argv) dl.push(['argv', s.intent.argv.map(code).join(' ')]);
    if (s.intent.resources.length) dl.push(['Resources', s.intent.resources.map(code).join(' ')]);
  }
  for (const c of related.confirmations) dl.push(['Confirmation', esc(`${confirmation(c)}${c.reason ? `: ${c.reason}` : ''}`)]);
  for (const d of related.decisions) dl.push(['Decision', `${esc(`by ${d.by}: ${d.question} → `)}${code(d.value)}${d.text ? `: ${esc(d.text)}` : ''}`]);
  if (s.summary) dl.push(['Result', esc(s.summary)]);
  if (s.error) dl.push(['Error', `<strong>${esc(s.error)}</strong>`]);
  if (s.in_doubt) dl.push(['In doubt', `${IN_DOUBT}; check it by hand`]);
  if (s.reconciled) dl.push(['Settled', settled(s.reconciled)]);
  if (s.retry_in_ms !== null) dl.push(['Retried', `after ${esc(formatDuration(s.retry_in_ms))}`]);
  if (s.assertions.length) dl.push(['Assertions', s.assertions.map((a) => `${a.ok ? '✓' : '✗'} ${code(a.message ?? a.that)}`).join('<br>')]);
  const caps = Object.entries(s.captures);
  if (caps.length) dl.push(['Captured', caps.map(([k, v]) => code(`${k}=${text(v)}`)).join(' ')]);
  let evidence = '';
  if (s.output.lines) {
    const lines = [...s.output.excerpt];
    if (s.output.omitted > 0) lines.splice(Math.min(5, lines.length), 0, `[… ${s.output.omitted} lines omitted …]`);
    evidence = `<p class="sub">Evidence: output (${s.output.lines} line${s.output.lines === 1 ? '' : 's'})</p><pre class="output">${esc(lines.join('\n'))}</pre>`;
  } else if (s.result_excerpt) evidence = `<p class="sub">Evidence: result</p><pre class="output">${esc(s.result_excerpt)}</pre>`;
  const attempt = s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
  return (
    `<article class="step status-${s.status}${s.in_doubt ? ' in-doubt' : ''}" id="step-${n}" data-step="${esc(s.step)}">` +
    `<h3>${n}. <span class="badge">${esc(stepStatusLabel(s))}</span> ${code(s.step)}${s.title ? ` — ${esc(s.title)}` : ''}${esc(attempt)}</h3>` +
    `<dl>${dl.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>${evidence}</article>`
  );
}
