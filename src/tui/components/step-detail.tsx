// The step being looked at: title, guidance (markdown), the exact intent, the streamed output in a
// scrollable pane (follows the tail unless scrolled), the result, captures and assertions; and at
// the bottom whatever the engine is waiting for.
import { Box, Text } from 'ink';
import { memo, useEffect, useRef, useState } from 'react';
import { displayArgv, oneLine, paint, safeLine, shortDuration, showValue, truncate, wrapText } from '../format.js';
import { useColor, useController, useTuiShallow } from '../hooks.js';
import { isLoaded, markdownLines, preload } from '../markdown.js';
import { keyOf } from '../keys.js';
import { afterQuit, currentStep, phaseOf, shownStep, stepRunning } from '../store.js';
import { promptRows } from './prompt.js';
import { cap, row, Rows, type Row } from './rows.js';
import { ICON, skippedText, stepIcon, stepTone } from './status.js';

/** Re-renders once the markdown renderer has loaded. */
function useMarkdownReady(): boolean {
  const [ready, setReady] = useState(isLoaded());
  useEffect(() => {
    if (ready) return;
    let live = true;
    preload().then(
      () => live && setReady(true),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [ready]);
  return ready;
}

export const StepDetail = memo(function StepDetail({ width, rows }: { width: number; rows: number }) {
  const c = useColor();
  useMarkdownReady();
  const controller = useController();
  const paneRef = useRef(0);
  const overflowRef = useRef(0);
  useEffect(() => {
    controller.store.getState().setPaneRows(Math.max(1, paneRef.current), overflowRef.current);
  });
  const s = useTuiShallow((st) => ({
    runbook: st.runbook,
    incident: st.incident,
    view: st.view,
    promptScroll: st.promptScroll,
    prompts: st.prompts,
    output: st.output,
    confirmations: st.confirmations,
    assertions: st.assertions,
    // The clock matters here only while a step runs.
    now: stepRunning(st) ? st.now : 0,
    running: st.running,
    result: st.result,
    color: st.color,
    identity: st.identity,
    readOnly: st.readOnly,
    mode: st.mode,
    // How the run ended, as journaled (its lines after the first say what is left to undo by hand).
    endSummary: st.incident?.outcome ? st.timeline.findLast((e) => e.type === 'run.finished')?.text : undefined,
  }));
  const id = shownStep(s);
  const inc = s.incident;
  if (!id || !inc) return <Text dimColor>No steps.</Text>;
  const spec = s.runbook?.steps.find((x) => x.id === id);
  const st = inc.steps[id];
  const head = s.prompts[0];
  const phase = phaseOf(st, s);
  const isCurrent = id === currentStep(inc);

  // What the engine waits for, or how the run stands.
  let bottom: Row[] = [];
  if (head) bottom = promptRows(head, width, c, { identity: s.identity, color: s.color, readOnly: s.readOnly || inc.readOnly });
  else if (inc.outcome) {
    const tone = inc.outcome === 'completed' ? 'green' : 'red';
    const reopen = inc.outcome === 'failed' || inc.outcome === 'blocked' ? `${keyOf('stopped', 'reopen')} reopen once fixed | ` : '';
    bottom = [row('end', paint(`Runbook ${inc.outcome}. The incident stays in the journal; ${reopen}${keyOf('runner', 'milestone')} milestone | ${keyOf('runner', 'note')} note | ${keyOf('runner', 'timeline')} timeline | ${keyOf('runner', 'quit')} quit`, { color: c(tone), bold: true }), { text: '■', color: c(tone), bold: true })];
    const left = s.endSummary?.split('\n').slice(1) ?? [];
    bottom.push(...cap(left.map((l, i) => row(`left${i}`, paint(`  ${l}`, { color: c('yellow') }))), 8, 'lines (t shows the timeline)'));
  } else if (!s.running && s.result) bottom = [row('paused', paint(`Stopped. ${keyOf('paused', 'rerun')} continues from this step | ${keyOf('paused', 'quit')} quits (${afterQuit(s)})`, { color: c('yellow'), bold: true }), { text: '■', color: c('yellow'), bold: true })];
  else if (s.running && phase === 'running' && isCurrent) bottom = [row('running', paint(`running... ${st?.startedAt ? shortDuration(s.now - Date.parse(st.startedAt)) : ''} | Ctrl+C aborts`, { color: c('cyan') }), { text: '▶', color: c('cyan') })];
  if (bottom.length) bottom = [row('sep', ''), ...bottom];
  // A prompt about another step than the one looked at says so.
  if (head && head.req.stepId !== id) bottom.splice(1, 0, row('other', paint(`(waiting on ${head.req.stepId}; End or down to go back to it)`, { dim: true })));

  // Following the run: one line on how the previous step ended, so its result is not lost from view.
  const prevRows: Row[] = [];
  if (!s.view.step) {
    const prevId = inc.touched.findLast((x) => x !== id && ['ok', 'failed', 'timeout', 'aborted', 'skipped'].includes(inc.steps[x]?.phase ?? ''));
    const prev = prevId ? inc.steps[prevId] : undefined;
    if (prev) {
      const what = prev.phase === 'ok' ? (prev.summary ?? 'ok') : prev.phase === 'skipped' ? skippedText(prev) : `${prev.phase}: ${prev.error ?? ''}`;
      const caps = prev.captures && Object.keys(prev.captures).length ? ` | ${Object.entries(prev.captures).map(([k, v]) => `${k}=${showValue(v, 24)}`).join(' ')}` : '';
      prevRows.push(row('prev', paint(truncate(oneLine(`${prev.id}: ${what}${caps}`), width - 4), { dim: true }), { text: `↳ ${stepIcon(prev, prev.phase)}`, color: c(stepTone(prev, prev.phase) ?? 'gray') }));
    }
  }

  // Title and meta.
  const top: Row[] = [
    ...prevRows,
    row('t', paint(truncate(spec?.title ?? id, width - 2), { bold: true, color: c(stepTone(st, phase) ?? 'white') }), { text: stepIcon(st, phase), color: c(stepTone(st, phase) ?? 'white'), bold: true }),
    row(
      'meta',
      paint(
        [
          id,
          st?.kind ?? spec?.kind,
          st?.effect,
          st && st.attempts > 1 ? `attempt ${st.attempts}` : '',
          st?.durationMs !== undefined && phase !== 'running' ? shortDuration(st.durationMs) : '',
          spec?.expectedMs ? `usually ${shortDuration(spec.expectedMs)}` : '',
          st?.inDoubt && phase !== 'running' ? `in doubt (${phase})` : phase,
        ]
          .filter(Boolean)
          .join(' | ')
          .slice(0, width),
        { dim: true },
      ),
    ),
  ];

  // Guidance (markdown) from the runbook.
  const guidance: Row[] = spec?.guidance ? markdownLines(spec.guidance, s.color, width).map((l, i) => row(`gd${i}`, l)) : [];

  // The exact intent: journaled with step.started, or offered by the engine before it starts.
  const intent = st?.intent ?? (head && head.req.stepId === id && 'intent' in head.req ? head.req.intent : undefined);
  const intentRows: Row[] = [];
  if (intent) {
    intentRows.push(row('i0', truncate(oneLine(`${intent.api ? `${intent.api}: ` : ''}${intent.summary}`), width)));
    if (intent.argv) wrapText(`argv: ${displayArgv(intent.argv)}`, width).slice(0, 2).forEach((l, i) => intentRows.push(row(`ia${i}`, paint(l, { dim: true }))));
    if (intent.resources?.length) intentRows.push(row('ir', paint(truncate(`resources: ${intent.resources.join(', ')}`, width), { dim: true })));
    // An API call is its parameters (a process is its argv, shown above).
    if (!intent.argv && intent.params !== undefined) intentRows.push(row('ip', paint(truncate(`params: ${showValue(intent.params, 10_000)}`, width), { dim: true })));
  }

  // Result, captures, assertions, decisions and confirmations.
  const res: Row[] = [];
  const conf = s.confirmations[id];
  if (conf) {
    const tone = conf.approved ? 'green' : 'yellow';
    res.push(row('conf', paint(`${conf.approved ? 'approved' : 'declined'} by ${conf.by}${conf.typed ? ' (resource typed)' : ''}${conf.reason ? `: ${conf.reason}` : ''}`, { color: c(tone) }), { text: conf.approved ? '✔' : '✘', color: c(tone) }));
  }
  const answer = inc.answers[id];
  if (answer) res.push(row('ans', paint(`${answer.by} answered ${answer.value}${answer.text && answer.text !== answer.value ? `: ${answer.text}` : ''}`, { color: c('magenta') }), { text: '◆', color: c('magenta') }));
  if (st && phase !== 'pending' && phase !== 'running') {
    if (phase === 'ok' && st.problem) res.push(row('sum', paint(st.summary ?? st.problem, { color: c('red') }), { text: '!', color: c('red') }));
    else if (phase === 'ok') res.push(row('sum', paint(st.summary ?? 'ok', { color: c('green') }), { text: '✓', color: c('green') }));
    else if (phase === 'skipped') res.push(row('sum', paint(skippedText(st), { dim: true }), { text: '↷', color: c('gray') }));
    else
      wrapText(`${phase}: ${st.error ?? ''}`, width - 2)
        .slice(0, 3)
        .forEach((l, i) => res.push(row(`err${i}`, paint(l, { color: c('red') }), { text: i === 0 ? ICON[phase] : ' ', color: c('red') })));
    if (st.inDoubt) res.push(row('doubt', paint('in doubt: the change may or may not have happened (settled on resume)', { color: c('yellow') }), { text: '?', color: c('yellow') }));
    if (st.retryPending) res.push(row('retry', paint('retrying...', { color: c('yellow') })));
  }
  if (st?.captures && Object.keys(st.captures).length) {
    res.push(row('cap', truncate(`captures: ${Object.entries(st.captures).map(([k, v]) => `${k}=${showValue(v, 30)}`).join('  ')}`, width)));
  }
  const assertions = s.assertions[id] ?? [];
  for (const [i, a] of assertions.entries()) {
    const tone = a.ok ? 'green' : 'red';
    res.push(row(`as${i}`, paint(`assert ${a.that.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, '')}${a.message && !a.ok ? ` - ${a.message}` : ''}`, { color: c(tone) }), { text: a.ok ? '✓' : '✗', color: c(tone) }));
  }

  // A prompt taller than the room it has: what came before gives way first, then the prompt is
  // windowed (PgUp/PgDn), its last rows (the buttons, the typed resource) always in view.
  let shownTop = top;
  let shownBottom = bottom;
  let overflow = 0;
  const crowded = Boolean(head) && top.length + bottom.length > rows;
  if (crowded) {
    shownTop = [];
    const tail = bottom.slice(-3);
    const body = bottom.slice(0, -3);
    const space = Math.max(1, rows - tail.length - 2);
    if (body.length > space) {
      overflow = body.length - space;
      const start = Math.min(s.promptScroll, overflow);
      const above = start;
      const below = body.length - space - start;
      shownBottom = [
        row('more-above', paint(above ? `▲ ${above} more line${above === 1 ? '' : 's'} above: PgUp` : ' ', { dim: true })),
        ...body.slice(start, start + space),
        row('more-below', paint(below ? `▼ ${below} more line${below === 1 ? '' : 's'} below: PgDn` : ' ', { dim: true })),
        ...tail,
      ];
    }
  }
  overflowRef.current = overflow;
  top.splice(0, top.length, ...shownTop);
  bottom = shownBottom;

  // Budget: the output pane gets what is left, at least a few lines.
  const fixed = top.length + bottom.length;
  let avail = Math.max(0, rows - fixed);
  // A prompt that needs the whole room gets it: the step's own details are a key away (up/down).
  const g = crowded ? [] : cap(guidance, Math.min(guidance.length, Math.max(2, Math.floor(avail * 0.3))), 'lines of guidance');
  avail -= g.length;
  const it = crowded ? [] : cap(intentRows, Math.min(intentRows.length, 4), 'intent lines');
  avail -= it.length;
  const rs = crowded ? [] : cap(res, Math.min(res.length, Math.max(2, Math.floor(avail * 0.35))), 'result lines');
  avail -= rs.length;
  paneRef.current = Math.max(1, avail - 1);
  const outRows = Math.max(0, avail);

  return (
    <>
      <Rows rows={top} width={width} />
      <Rows rows={g} width={width} />
      <Rows rows={it} width={width} />
      <OutputPane buf={s.output[id]} scroll={s.view.scroll} rows={outRows} width={width} color={s.color} phase={phase} />
      <Rows rows={rs} width={width} />
      <Rows rows={bottom} width={width} />
    </>
  );
});

/**
 * The output pane: a header line and the visible window of the capped buffer, one text node per
 * line. Ink tokenizes a multi-line node twice every frame (the block, then each of its lines), a
 * one-line node once; and memoised lines keep an unchanged window out of React's work.
 */
const OutputPane = memo(function OutputPane({ buf, scroll, rows, width, color, phase }: { buf: { lines: { text: string; stream: string }[]; total: number } | undefined; scroll: number; rows: number; width: number; color: boolean; phase: string }) {
  // The line nodes outlive a step without output (hidden, still holding what they showed), so
  // moving between steps updates their text instead of unmounting and remounting them all.
  const kept = useRef<string[]>([]);
  const lines = rows < 2 ? [] : (buf?.lines ?? []);
  let head: Row | undefined;
  const shown: string[] = [];
  if (lines.length) {
    const room = rows - 1;
    const end = Math.max(0, lines.length - scroll);
    const start = Math.max(0, end - room);
    const dropped = buf!.total - lines.length;
    const above = start + dropped;
    const below = lines.length - end;
    const text = `-- output | ${buf!.total} line${buf!.total === 1 ? '' : 's'}${above ? ` | ${above} above` : ''}${below ? ` | ${below} below (End follows)` : ' | following'}${dropped ? ` | oldest ${dropped} not kept on screen (all in the journal)` : ''} `;
    head = row('oh', paint(truncate(text, width), { dim: true }));
    for (let i = start; i < end; i++) {
      const l = lines[i]!;
      // Cut here, with ASCII '...': when Ink truncates it adds a '…', which sends the line down its slow path every frame.
      const text = truncate(safeLine(l.text), width);
      shown.push(color && l.stream === 'stderr' ? `\u001b[31m${text}\u001b[39m` : color && l.stream === 'log' ? `\u001b[90m${text}\u001b[39m` : text);
    }
    kept.current = shown;
  } else if (rows >= 2 && phase !== 'pending') head = row('oh', paint(phase === 'running' ? '-- output: nothing yet' : '-- no output', { dim: true }));
  return (
    <>
      {head ? <Rows rows={[head]} width={width} /> : null}
      <Box flexDirection="column" height={shown.length} width={width} flexShrink={0} display={shown.length ? 'flex' : 'none'}>
        {/* Keyed by position: scrolling changes the text of a few nodes instead of remounting them. */}
        {kept.current.map((text, i) => (
          <OutputLine key={i} text={text} />
        ))}
      </Box>
    </>
  );
});

const OutputLine = memo(function OutputLine({ text }: { text: string }) {
  return <Text wrap="truncate-end">{text}</Text>;
});
