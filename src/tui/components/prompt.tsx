// The head of the prompt queue: what the engine is waiting for. Gate (Enter runs, s skips),
// confirmation of a write (exactly what will change; Cancel is the default; destructive ones need
// the resource id typed), a question (choice, text or manual), or a failure (retry, skip, stop).
import { Text } from 'ink';
import { displayArgv, paint, showValue, truncate, wrapText } from '../format.js';
import type { Color } from '../hooks.js';
import { markdownLines } from '../markdown.js';
import type { IdentityView, Prompt } from '../store.js';
import { keyOf } from '../keys.js';
import { confirmWhere } from '../where.js';
import { cap, row, type Row } from './rows.js';
import { TextField } from './text-field.js';

type C = (c: Color) => Color | undefined;

export function promptRows(p: Prompt, width: number, c: C, ctx: { identity: IdentityView; color: boolean; readOnly: boolean }): Row[] {
  switch (p.kind) {
    case 'gate': {
      const write = p.req.effect === 'write';
      return [
        // Pre-styled strings (see `paint`): the gate stays on screen while the operator looks around.
        row('g0', paint(`Next: ${p.req.title}`, { color: c(write ? 'yellow' : 'cyan'), bold: true }), { text: write ? '⚠' : '▶', color: c(write ? 'yellow' : 'cyan'), bold: true }),
        row(
          'g1',
          paint(
            `  ${
              p.req.effect === 'write'
                ? ctx.readOnly
                  ? 'this step changes something: read-only mode will refuse it'
                  : 'this step changes something: you will confirm exactly what next'
                : p.req.effect === 'human'
                  ? 'this step asks you'
                  : 'this step only reads'
            }`,
            { dim: true },
          ),
        ),
        row(
          'g2',
          `  ${paint(keyOf('gate', 'run-step'), { bold: true, color: c('cyan') })} run   ${p.req.effect === 'read' ? `${paint(keyOf('gate', 'run-reads'), { bold: true, color: c('cyan') })} run the reads   ` : ''}${paint(keyOf('gate', 'skip-step'), { bold: true, color: c('cyan') })} skip (asks a reason)`,
        ),
      ];
    }
    case 'failure':
      return [
        ...wrapText(`${p.req.stepId} failed (attempt ${p.req.attempt}): ${p.req.error}`, width - 2)
          .slice(0, 3)
          .map((l, i) => row(`f${i}`, <Text color={c('red')} bold={i === 0}>{l}</Text>, { text: i === 0 ? '✗' : ' ', color: c('red'), bold: true })),
        row('fk', (
          <Text>
            {'  '}
            <Text bold color={c('cyan')}>{keyOf('failure', 'retry-step')}</Text> retry{'   '}
            <Text bold color={c('cyan')}>{keyOf('failure', 'skip-step')}</Text> skip (asks a reason){'   '}
            <Text bold color={c('cyan')}>{keyOf('failure', 'stop-run')}</Text> stop the run
          </Text>
        )),
      ];
    case 'confirm': {
      const r = p.req;
      if (p.declined) {
        return [
          ...wrapText(`Declined: ${r.title} was not run; nothing was changed.`, width - 2).map((l, i) =>
            row(`d0${i}`, paint(l, { color: c('yellow'), bold: true }), { text: i === 0 ? '✘' : ' ', color: c('yellow'), bold: true }),
          ),
          row('d1', `  ${paint(keyOf('declined', 'run-step'), { bold: true, color: c('cyan') })} confirm again   ${paint(keyOf('declined', 'skip-step'), { bold: true, color: c('cyan') })} skip the step (asks a reason)`),
        ];
      }
      const intent = r.intent;
      const rows: Row[] = [];
      const tone = r.destructive ? 'red' : 'yellow';
      rows.push(
        row('c0', (
          <Text color={c(tone)} bold inverse={r.destructive}>
            {r.destructive ? ' DESTRUCTIVE CHANGE ' : r.purpose === 'rollback' ? 'Confirm rollback' : 'Confirm change'}
          </Text>
        ), { text: r.purpose === 'rollback' ? '↺' : '⚠', color: c(tone), bold: true }),
      );
      wrapText(r.title, width - 4).forEach((l, i) => rows.push(row(`c1${i}`, <Text bold>{`  ${l}`}</Text>)));
      wrapText(intent.summary, Math.max(10, width - 13)).forEach((l, i) => rows.push(row(`c2${i}`, <Text>{`  ${i === 0 ? 'what:      ' : '           '}${l}`}</Text>)));
      if (intent.api) rows.push(row('c3', <Text>{`  API:       ${intent.api}`}</Text>));
      // Everything the operator approves is shown whole: wrapped, never cut (the runner scrolls a
      // confirmation taller than the screen, keeping its buttons in view).
      const field = (key: string, label: string, text: string) =>
        wrapText(text, Math.max(10, width - 13)).forEach((l, i) => rows.push(row(`${key}${i}`, <Text>{`  ${i === 0 ? label.padEnd(11) : '           '}${l}`}</Text>)));
      if (intent.argv) field('c4', 'argv:', displayArgv(intent.argv));
      if (intent.resources?.length) field('c5', 'resources:', intent.resources.join(', '));
      if (!intent.argv && intent.params !== undefined) field('cp', 'params:', showValue(intent.params, Number.MAX_SAFE_INTEGER));
      const where = confirmWhere(r, ctx.identity);
      (where.length <= width - 4 ? [where] : wrapText(where, width - 4)).forEach((l, i) => rows.push(row(`c6${i}`, <Text>{`  ${l}`}</Text>)));
      if (r.message) wrapText(r.message, width - 4).forEach((l, i) => rows.push(row(`c7${i}`, <Text italic>{`  ${l}`}</Text>)));
      if (r.destructive) {
        rows.push(row('c8', (
          <Text>
            {'  Type '}
            <Text bold color={c('red')}>{r.resource ?? '(no resource named)'}</Text>
            {' to approve: '}
            <TextField value={p.typed} focused width={Math.max(10, width - 30)} />
          </Text>
        )));
        if (p.problem) rows.push(row('c9', <Text color={c('red')}>{`  ${p.problem}`}</Text>));
        rows.push(row('ca', <Text dimColor>{`  ${keyOf('confirm-typed', 'submit')} approves once it matches | ${keyOf('confirm-typed', 'decline')} cancels (the step is skipped)`}</Text>));
      } else {
        rows.push(row('c8', (
          <Text>
            {'  '}
            <Text inverse={p.choice === 'cancel'} bold={p.choice === 'cancel'}>{' Cancel '}</Text>
            {'  '}
            <Text inverse={p.choice === 'approve'} bold={p.choice === 'approve'} color={c('yellow')}>{' Approve '}</Text>
            {width >= 90 ? <Text dimColor>{`   ${keyOf('confirm', 'toggle-choice')} choose | ${keyOf('confirm', 'submit')} confirm | ${keyOf('confirm', 'approve')} approve | ${keyOf('confirm', 'decline')} cancel`}</Text> : null}
          </Text>
        )));
      }
      return rows;
    }
    case 'ask': {
      const r = p.req;
      const rows: Row[] = [];
      // Three lines at most; a longer question (one quoting a long command, say) keeps its last
      // line, which is where the question itself is.
      const q = wrapText(r.question, width - 2);
      const question = q.length > 3 ? [q[0]!, truncate(`${q[1]!} …`, width - 2), q.at(-1)!] : q;
      rows.push(...question.map((l, i) => row(`a${i}`, <Text bold color={c('magenta')}>{l}</Text>, { text: i === 0 ? '◆' : ' ', color: c('magenta'), bold: true })));
      if (r.evidence && Object.keys(r.evidence).length) {
        // The facts the choice rests on, whole: one per line, wrapped (idle_timeout_s=60 decides it).
        rows.push(row('e', <Text dimColor>{'  evidence:'}</Text>));
        for (const [k, v] of Object.entries(r.evidence)) {
          wrapText(`${k}=${showValue(v, Number.MAX_SAFE_INTEGER)}`, width - 6).forEach((l, i) => rows.push(row(`e${k}.${i}`, <Text>{`    ${i === 0 ? '' : '  '}${l}`}</Text>)));
        }
      }
      if (r.guidance) rows.push(...cap(markdownLines(r.guidance, ctx.color, width - 2).map((l, i) => row(`m${i}`, <Text>{`  ${l}`}</Text>)), 6, 'lines of instructions'));
      if (r.type === 'choice') {
        (r.options ?? []).forEach((o, i) => {
          const sel = i === p.selected;
          // Wrapped, never cut: an option is what the operator answers with.
          const mark = o.value === r.suggested ? ' ← the evidence suggests this' : '';
          const text = `${i + 1}. ${o.label} (${o.value})${mark}${o.description ? ` — ${o.description}` : ''}`;
          wrapText(text, width - 5).forEach((l, j) =>
            rows.push(row(`o${i}.${j}`, (
              <Text inverse={sel} bold={sel} color={mark && j === 0 ? c('cyan') : undefined}>
                {j === 0 && sel ? ' > ' : '   '}
                {l}
              </Text>
            ))),
          );
        });
        const how = p.selected < 0 ? 'nothing is chosen for you: pick with' : 'change with';
        wrapText(`${how} ${keyOf('choice', 'down')} or 1-9 | ${keyOf('choice', 'choose')} answers (journaled)`, width - 2).forEach((l, j) => rows.push(row(`ak${j}`, <Text dimColor>{`  ${l}`}</Text>)));
      } else if (r.type === 'text') {
        rows.push(row('at', (
          <Text>
            {'  answer: '}
            <TextField value={p.text} focused width={Math.max(10, width - 12)} placeholder={r.pattern ? `matching ${r.pattern}` : undefined} />
          </Text>
        )));
        if (p.problem) rows.push(row('ap', <Text color={c('red')}>{`  ${p.problem}`}</Text>));
        rows.push(row('ak', <Text dimColor>{`  ${keyOf('text-answer', 'answer')} sends (journaled)`}</Text>));
      } else {
        rows.push(row('ak', (
          <Text>
            {'  '}
            <Text bold color={c('cyan')}>{keyOf('manual', 'done')}</Text> done (journaled as done by you)
          </Text>
        )));
      }
      return rows;
    }
  }
}
