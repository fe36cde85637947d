// Drill practice: the scenario picker, a drill played on its simulated world (its own clock and
// providers, so nothing reaches a live account), and its score when the runbook ends or the
// operator leaves. The runner itself is the incident flow's: a drill is an incident in drill mode.
import { basename } from 'node:path';
import type { RunResult } from '../../engine/engine.js';
import type { DrillSession } from '../../drill/session.js';
import { realClock } from '../../core/clock.js';
import { tuiPorts } from '../ports.js';
import { issuesText } from '../previews.js';
import { runbookView, type IncidentFlow } from './incident.js';
import type { PickersFlow } from './pickers.js';
import { errorText, type Shared } from './shared.js';
import { shownStep } from '../state/derived.js';

export class DrillFlow {
  /** The drill being played, until it is scored. */
  private drill: DrillSession | undefined;
  /** The score's summary, printed when the TUI closes after a drill. */
  private scoreText: string | undefined;

  constructor(
    private readonly tui: Shared,
    private readonly incident: IncidentFlow,
    private readonly pickers: PickersFlow,
  ) {}

  private get store() {
    return this.tui.store;
  }

  /** The scenario picker: drill mode's start, and where a scored drill returns to. */
  async openDrills(): Promise<void> {
    const s = this.store.getState();
    if (this.tui.open) return;
    this.tui.clock = this.tui.o.clock ?? realClock;
    s.endIncident();
    s.setScreen({ kind: 'drills' });
    s.tick(this.tui.clock.now());
    return this.pickers.loadScenarios();
  }

  /** Opens a drill on a scenario file: its simulated world, clock and runbook; the runner takes over. */
  async playDrill(file: string): Promise<void> {
    const { o } = this.tui;
    const s = this.store.getState();
    if (this.tui.open || this.drill) return;
    s.setScreen({ kind: 'busy', message: `Setting up the drill world for ${basename(file)}...` });
    try {
      const [{ loadScenario }, { startDrill }, { Redactor }, { RunbookError }, { newIncidentId }, registry, pluginRunbookDirs] = await Promise.all([
        import('../../drill/scenario.js'),
        import('../../drill/session.js'),
        import('../../journal/redact.js'),
        import('../../runbook/issues.js'),
        import('../../journal/ids.js'),
        this.tui.registry(),
        o.pluginRunbookDirs?.() ?? Promise.resolve([]),
      ]);
      const redactor = new Redactor();
      let session: DrillSession;
      try {
        const loaded = await loadScenario(file);
        // The store listens from the drill's first record; the runbook's steps follow once it is loaded.
        const id = newIncidentId();
        this.store.getState().beginIncident(id, { id: '', title: '', version: '', steps: [] });
        session = await startDrill({
          id,
          onRecord: (ev) => this.store.getState().ingest(ev),
          loaded,
          stateRoot: o.stateDir,
          registry,
          // The drill replaces the clock with its simulated one.
          ports: tuiPorts(this.store, { clock: this.tui.clock, redactor }),
          operator: this.tui.operator,
          runbookDirs: o.runbookDirs,
          pluginRunbookDirs,
          redactor,
          // A person plays: time they spend at a gate, a decision or a confirmation counts (#20).
          pace: o.drillPace ?? 1,
        });
        this.store.getState().setRunbook(runbookView(session.runbook));
      } catch (err) {
        this.store.getState().endIncident();
        if (err instanceof RunbookError) throw new Error(await issuesText(err, this.tui.cwd), { cause: err });
        throw err;
      }
      if (this.tui.quitting) {
        await session.finish().catch(() => undefined);
        return;
      }
      this.drill = session;
      this.tui.clock = session.clock;
      this.store.getState().tick(session.clock.now());
      this.incident.attach(session.incident);
      const page = session.incident.engine.state.drill?.page;
      const hints = session.hints > 0 ? `   (h reveals a hint: ${session.hints} in this drill)` : '';
      if (page) this.store.getState().setMessage(`page from ${page.from} [${page.severity}]: ${page.text}${hints}`, 'warn');
    } catch (err) {
      const st = this.store.getState();
      st.setScreen({ kind: 'drills' });
      st.setMessage(`could not start the drill: ${errorText(err)}`, 'error');
      if (!this.pickers.scenariosLoaded) void this.openDrills();
    }
  }

  /** The engine stopped: a drill ends when its runbook does, scored at once, while the world is as the responder left it. */
  ended(result: RunResult): boolean {
    if (!this.drill || result.outcome === 'aborted') return false;
    void this.finish();
    return true;
  }

  /** h: the scenario's next hint for the step on screen, shown on the message line (journaled by the drill). */
  async hint(): Promise<void> {
    const s = this.store.getState();
    if (!this.drill) return s.setMessage('hints are for drills: a live incident has none', 'info');
    const step = s.prompts[0]?.req.stepId ?? shownStep(s);
    try {
      const h = await this.drill.hint(step);
      if (!h) this.store.getState().setMessage('no hint left for this step', 'info');
      else this.store.getState().setMessage(`hint ${h.index}/${h.of}: ${h.text}`, 'info');
    } catch (err) {
      this.store.getState().setMessage(`could not reveal a hint: ${errorText(err)}`, 'error');
    }
  }

  /** True while a drill is being played. */
  get playing(): boolean {
    return this.drill !== undefined;
  }

  /** What closing the TUI prints: the last drill's score, if one was scored. */
  get summary(): string | undefined {
    return this.scoreText;
  }

  /** Scores the drill (journaled), closes its journal and world, and shows the score. Returns the summary. */
  async finish(leaving = false): Promise<string | undefined> {
    const drill = this.drill;
    if (!drill) return undefined;
    if (leaving) await this.incident.stopEngine(drill.incident);
    await this.tui.writesLanded();
    const id = drill.incident.id;
    try {
      const score = await drill.finish();
      const { formatScore } = await import('../../drill/score.js');
      this.scoreText = [...formatScore(score), `the drill's journal: oncall export ${id} --drill`].join('\n');
    } catch (err) {
      this.scoreText = `drill ${id}: could not be scored: ${errorText(err)}`;
      this.store.getState().setMessage(this.scoreText, 'error');
    }
    this.drill = undefined;
    this.tui.open = undefined;
    const s = this.store.getState();
    s.flush();
    // The header's clock stops where the simulation ended.
    s.tick(this.tui.clock.now());
    if (!leaving) s.setScreen({ kind: 'score' });
    return this.scoreText;
  }
}
