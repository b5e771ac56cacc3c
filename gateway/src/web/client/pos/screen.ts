/** What the point of sale shows at one time (sign-in, keypad, sale): its element and its keyboard shortcuts. */
export interface Screen {
  element: HTMLElement;
  /** Handles a key pressed anywhere on the page; true when it did (the page then prevents the default). */
  onKey(event: KeyboardEvent): boolean;
  /** Puts the keyboard focus where the screen's work starts. */
  focus(): void;
  /** Stops what the screen runs (streams, timers) when another screen replaces it. */
  close(): void;
}

/** Keys a focused menu (<select>) uses to choose; the others (digits, Enter) still reach the page. */
const MENU_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown", " "]);

/**
 * Whether the key belongs to the element that has focus (typing in a field, choosing in a menu, activating a
 * button or link). A menu keeps only its choosing keys: after picking the token, the cashier types the amount.
 */
export function keyBelongsToTarget(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLSelectElement) return MENU_KEYS.has(event.key);
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return true;
  if (target.isContentEditable) return true;
  const activates = event.key === "Enter" || event.key === " ";
  return activates && (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement || target.tagName === "SUMMARY");
}
