/**
 * Just enough of a browser at `href` for the SDK: `window` (whose btoa lets PKCE use S256, as in a real
 * browser) and `location` (processCode sends the page's origin as redirect_uri), whose assign() is
 * recorded in `navigations`, not followed. Returns the function that takes them away again.
 */
export function pretendBrowserAt(href: string, navigations: string[] = []): () => void {
  const { protocol, host, pathname, search } = new URL(href);
  const location = { href, protocol, host, pathname, search, assign: (url: string) => navigations.push(url) };
  Object.assign(globalThis, { window: globalThis, location });
  return () => {
    Reflect.deleteProperty(globalThis, 'window');
    Reflect.deleteProperty(globalThis, 'location');
  };
}

/** Runs `fn` in a pretend browser at `href` (see pretendBrowserAt), with the URLs the page navigated to. */
export async function inBrowserAt(href: string, fn: (navigations: string[]) => Promise<void>): Promise<void> {
  const navigations: string[] = [];
  const leave = pretendBrowserAt(href, navigations);
  try {
    await fn(navigations);
  } finally {
    leave();
  }
}
