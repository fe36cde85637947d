// The lists the operator chooses from: the open incidents on the start screen, the runbooks (after
// the new-incident form) and, in drill mode, the scenarios. Each list is loaded on first use and
// filtered as the operator types; the highlighted row's preview is read once per file.
import type { RunbookListing } from '../../runbook/listing.js';
import { fuzzyFind, fuzzyIndex, type FuzzyIndex } from '../fuzzy.js';
import { readRunbookPreview, readScenarioPreview } from '../previews.js';
import { applyEdit, type ScenarioItem, type TextEdit } from '../store.js';
import { errorText, type Shared } from './shared.js';

export class PickersFlow {
  private runbookIndex: FuzzyIndex<RunbookListing> | undefined;
  private scenarioIndex: FuzzyIndex<ScenarioItem> | undefined;

  constructor(private readonly tui: Shared) {}

  private get store() {
    return this.tui.store;
  }

  /** The incidents the start screen lists (open ones are offered to resume). */
  async refreshIncidents(): Promise<void> {
    const s = this.store.getState();
    s.setIncidents({ loading: true });
    try {
      const { listIncidents } = await import('../../engine/incidents.js');
      const { incidents, unreadable } = await listIncidents(this.tui.o.stateDir);
      this.store.getState().setIncidents({ loading: false, list: incidents, unreadable: unreadable.length, error: undefined });
    } catch (err) {
      this.store.getState().setIncidents({ loading: false, error: errorText(err) });
    }
  }

  /** The runbooks (--runbooks, the search path, plugins), listed once. */
  async loadRunbooks(): Promise<void> {
    const { o, env, cwd } = this.tui;
    const s = this.store.getState();
    if (!s.runbooks.loading && s.runbooks.list.length) return;
    try {
      const [{ listRunbooks }, fzf] = await Promise.all([import('../../runbook/listing.js'), import('fzf')]);
      const plugins = await o.listingPlugins?.();
      const listing = await listRunbooks({ extra: o.runbookDirs, env, cwd, ...(plugins ? { plugins } : {}) });
      this.runbookIndex = fuzzyIndex(fzf, listing.runbooks, (r) => `${r.id} ${r.title} ${r.tags.join(' ')} ${r.summary}`);
      this.store.getState().setRunbooks({ loading: false, list: listing.runbooks, invalid: listing.invalid.length, error: undefined });
      this.filter(this.store.getState().filter);
      this.tui.showPluginNotes();
      // A cached listing never loads the plugins, so their problems would go unsaid: load the
      // registry now (choosing a runbook needs it anyway); it reports them when it is ready.
      if (plugins) void this.tui.registry().catch(() => undefined);
    } catch (err) {
      this.store.getState().setRunbooks({ loading: false, error: errorText(err) });
    }
  }

  /** True once the scenarios are listed (a drill that failed to start goes back to them). */
  get scenariosLoaded(): boolean {
    return this.scenarioIndex !== undefined;
  }

  /** The drill scenarios (--scenarios, plugins, the bundled ones), listed once; filtered again when shown. */
  async loadScenarios(): Promise<void> {
    if (this.scenarioIndex) return this.filter(this.store.getState().filter);
    try {
      const [{ listScenarios }, fzf, dirs] = await Promise.all([import('../../drill/catalog.js'), import('fzf'), this.tui.o.scenarioDirs?.() ?? Promise.resolve([])]);
      const list = listScenarios(dirs);
      this.scenarioIndex = fuzzyIndex(fzf, list, (x) => `${x.id} ${x.title} ${x.runbook}`);
      this.store.getState().setScenarios({ loading: false, list, error: undefined });
      this.filter(this.store.getState().filter);
      this.tui.showPluginNotes();
    } catch (err) {
      this.store.getState().setScenarios({ loading: false, error: errorText(err) });
    }
  }

  /** A key typed into the filter of the picker on screen. */
  editFilter(edit: TextEdit): void {
    this.filter(applyEdit(this.store.getState().filter, edit));
  }

  /** Filters the picker on screen (runbooks, or scenarios in drill mode) and previews the top match. */
  filter(text: string): void {
    const s = this.store.getState();
    if (s.screen.kind === 'drills') {
      s.setDrillFilter(text, fuzzyFind(this.scenarioIndex, s.scenarios.list, text));
      void this.loadScenarioPreview();
      return;
    }
    s.setFilter(text, fuzzyFind(this.runbookIndex, s.runbooks.list, text));
    void this.loadPreview();
  }

  /** Moves the highlight in the runbook picker. */
  moveRunbook(delta: number): void {
    this.store.getState().movePicker(delta);
    void this.loadPreview();
  }

  /** Moves the highlight in the scenario picker. */
  moveScenario(delta: number): void {
    this.store.getState().movePicker(delta);
    void this.loadScenarioPreview();
  }

  /** The highlighted runbook's step list, read once per file. */
  private async loadPreview(): Promise<void> {
    const s = this.store.getState();
    const item = s.matches[s.pickerIndex]?.item;
    if (!item || s.previews[item.file]) return;
    s.setPreview(item.file, { loading: true });
    const preview = await readRunbookPreview(item.file).catch((err: unknown) => ({ error: errorText(err) }));
    this.store.getState().setPreview(item.file, { loading: false, ...preview });
  }

  /** The highlighted scenario, validated, read once per file: its page, runbook, inputs and world. */
  private async loadScenarioPreview(): Promise<void> {
    const s = this.store.getState();
    const item = s.drillMatches[s.pickerIndex]?.item;
    if (!item || s.scenarioPreviews[item.file]) return;
    s.setScenarioPreview(item.file, { loading: true });
    const preview = await readScenarioPreview(item.file, this.tui.cwd).catch((err: unknown) => ({ error: errorText(err) }));
    this.store.getState().setScenarioPreview(item.file, { loading: false, ...preview });
  }
}
