// One rule for colour, used by the CLI's views and the daemon's logger, and one way to paint.
// FORCE_COLOR wins when set (as in Node itself: "0"/"false" turn colour off, anything else on);
// otherwise colour needs a terminal, a non-empty NO_COLOR turns it off (no-color.org), and so does TERM=dumb.
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** SGR parameters (ECMA-48) of the styles the views use. */
const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 } as const;
export type Style = keyof typeof SGR;
/** Wraps text in one style or several combined (`['red', 'bold']`). */
export type Paint = (style: Style | readonly Style[], text: string) => string;

/** A painter for a decision made once (by `useColor`): without colour it returns the text unchanged. */
export function painter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => `\x1b[${(typeof style === 'string' ? [style] : style).map((s) => SGR[s]).join(';')}m${text}\x1b[0m`;
}
