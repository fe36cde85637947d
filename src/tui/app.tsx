// The root component: one input hook that hands every key to the controller, the header, the
// active screen (a switch over the screen union, checked for exhaustiveness), overlays, the
// message line and the footer. Components draw; the controller decides.
import { Box, useInput, usePaste, useStdin, useWindowSize } from 'ink';
import { useEffect } from 'react';
import type { TuiController } from './controller.js';
import { TuiContext, useController, useTui, useTuiShallow } from './hooks.js';
import type { Screen } from './store.js';
import { Header } from './components/header.js';
import { Footer, MessageLine } from './components/footer.js';
import { HelpOverlay, InputPanel, inputPanelRows, TimelineOverlay } from './components/overlays.js';
import { BusyScreen } from './screens/busy.js';
import { DrillsScreen } from './screens/drills.js';
import { FormScreen } from './screens/form.js';
import { PickerScreen } from './screens/picker.js';
import { RunnerScreen } from './screens/runner.js';
import { ScoreScreen } from './screens/score.js';
import { StartScreen } from './screens/start.js';

export function App({ controller }: { controller: TuiController }) {
  return (
    <TuiContext.Provider value={controller}>
      <Root />
    </TuiContext.Provider>
  );
}

/** The terminal's size goes to the store, the one place the layout reads it from. */
function SizeSync() {
  const controller = useController();
  const size = useWindowSize();
  useEffect(() => {
    if (!controller.o.size) controller.store.getState().setSize({ columns: size.columns, rows: size.rows });
  }, [controller, size.columns, size.rows]);
  return null;
}

function Keys() {
  const controller = useController();
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => controller.onKey(input, key), { isActive: isRawModeSupported === true });
  // Bracketed paste: a paste arrives whole, as text, never as the keys it contains.
  usePaste((text) => controller.onPaste(text), { isActive: isRawModeSupported === true });
  return null;
}

function Root() {
  const { columns, rows, overlay } = useTuiShallow((s) => ({ columns: s.size.columns, rows: s.size.rows, overlay: s.overlay.kind }));
  const screen = useTui((s) => s.screen);
  const body = Math.max(3, rows - 3);
  const panel = inputPanelRows(overlay);
  const fullOverlay = overlay === 'help' || overlay === 'timeline';
  return (
    <Box flexDirection="column" width={columns} height={rows} overflow="hidden">
      <SizeSync />
      <Keys />
      <Header />
      {/* A full-screen overlay hides the screen instead of unmounting it, so closing it does not rebuild the runner. */}
      <Box flexDirection="column" height={body} overflow="hidden" display={fullOverlay ? 'none' : 'flex'}>
        <ScreenView screen={screen} rows={body - panel} />
        {panel ? <InputPanel width={columns} /> : null}
      </Box>
      {overlay === 'help' ? (
        <Box flexDirection="column" height={body} overflow="hidden">
          <HelpOverlay rows={body} width={columns} />
        </Box>
      ) : null}
      {/* On the runner the timeline stays mounted, hidden, so t opens and closes it without rebuilding it. */}
      {overlay === 'timeline' || screen.kind === 'runner' ? (
        <Box flexDirection="column" height={body} overflow="hidden" display={overlay === 'timeline' ? 'flex' : 'none'}>
          <TimelineOverlay rows={body} width={columns} />
        </Box>
      ) : null}
      <MessageLine />
      <Footer />
    </Box>
  );
}

function ScreenView({ screen, rows }: { screen: Screen; rows: number }) {
  switch (screen.kind) {
    case 'start':
      return <StartScreen rows={rows} />;
    case 'new-incident':
    case 'inputs':
      return <FormScreen rows={rows} />;
    case 'picker':
      return <PickerScreen rows={rows} />;
    case 'runner':
      return <RunnerScreen rows={rows} />;
    case 'busy':
      return <BusyScreen message={screen.message} />;
    case 'drills':
      return <DrillsScreen rows={rows} />;
    case 'score':
      return <ScoreScreen rows={rows} />;
    default: {
      const never: never = screen;
      throw new Error(`unknown screen ${JSON.stringify(never)}`);
    }
  }
}
