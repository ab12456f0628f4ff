/**
 * Whether `syncacross auth` can open a browser on this machine, and opening it. The address is
 * always printed as well: the browser may open on another screen, or not at all.
 */
import type { Output } from './output.js';

/**
 * A browser can be opened in a desktop session: not over SSH (the browser would open on the
 * remote machine's display, if any), and on Linux and the BSDs only with a display server
 * (X11's DISPLAY, WAYLAND_DISPLAY) or under WSL (which `open` hands to Windows). macOS and
 * Windows always have one.
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.WSL_DISTRO_NAME);
}

/**
 * Opens `url` with the `open` package (ESM, loaded only here). On Linux `open` runs its bundled
 * xdg-open, which, outside a known desktop environment, hands the address to the programs in
 * $BROWSER (xdg-open's `open_envvar`, open@11 `xdg-open`): that is how tests stand in a fake
 * browser without any hook in this code.
 */
export async function openInBrowser(url: string, out: Output): Promise<void> {
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.once('error', (e) => out.warn(`could not open a browser (${e.message}): open the address above yourself`));
  } catch (e) {
    out.warn(`could not open a browser (${e instanceof Error ? e.message : String(e)}): open the address above yourself`);
  }
}
