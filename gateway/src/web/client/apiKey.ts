/**
 * Where a page keeps its API key. A link may carry it in the fragment (`/pos#key=sp_live_...`, what `scanpay serve`
 * prints): the fragment never reaches a server or a Referer, and the page removes it from the address bar at once.
 * The point of sale keeps its terminal key in localStorage (the device stays signed in); the dashboard keeps its
 * key in sessionStorage (gone when the tab closes).
 */

const KEY_RE = /^sp_live_[A-Za-z0-9_-]{8,200}$/;

export function isApiKey(text: string): boolean {
  return KEY_RE.test(text);
}

/** Takes a key from the fragment (then clears it) or else from `storage`; undefined when there is none. */
export function loadApiKey(storage: Storage, name: string): string | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fragment !== null && isApiKey(fragment)) {
    storage.setItem(name, fragment);
    history.replaceState(null, "", location.pathname + location.search);
    return fragment;
  }
  const stored = storage.getItem(name);
  return stored !== null && isApiKey(stored) ? stored : undefined;
}

export function saveApiKey(storage: Storage, name: string, key: string): void {
  storage.setItem(name, key);
}

export function forgetApiKey(storage: Storage, name: string): void {
  storage.removeItem(name);
}
