// One rule for colour, used by the CLI's views and the daemon's logger.
// FORCE_COLOR wins when set (as in Node itself: "0"/"false" turn colour off, anything else on);
// otherwise colour needs a terminal, a non-empty NO_COLOR turns it off (no-color.org), and so does TERM=dumb.
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}
