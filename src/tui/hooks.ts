// How components reach the store and the controller: one React context, narrow selectors.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { TuiController } from './controller.js';
import type { Color } from './format.js';
import type { TuiStoreState } from './store.js';

export type { Color } from './format.js';

export const TuiContext = createContext<TuiController | null>(null);

export function useController(): TuiController {
  const c = useContext(TuiContext);
  if (!c) throw new Error('TUI components must be rendered inside <App>');
  return c;
}

/** A narrow slice of the store; the component re-renders only when it changes (Object.is). */
export function useTui<T>(selector: (s: TuiStoreState) => T): T {
  return useStore(useController().store, selector);
}

/** A slice made of several values; re-renders when any of them changes (shallow compare). */
export function useTuiShallow<T extends object>(selector: (s: TuiStoreState) => T): T {
  return useStore(useController().store, useShallow(selector));
}

/** A colour, or undefined when NO_COLOR asks for none (bold, dim and inverse stay). */
export function useColor(): (c: Color) => Color | undefined {
  const color = useTui((s) => s.color);
  // One function per setting, so it can be a prop of memoised rows without defeating them.
  return color ? withColor : noColor;
}

const withColor = (c: Color): Color | undefined => c;
const noColor = (): Color | undefined => undefined;
