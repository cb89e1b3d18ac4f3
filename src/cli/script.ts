// The tail of the npm scripts in cmd/ (start, demo): run main, set the exit code, print a failure
// as a coded error with its hint.
import { useColor } from '../render/color.ts';
import { formatError } from '../render/error.ts';

export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(formatError(err, { color: useColor(process.stderr, process.env) }));
      process.exitCode = 1;
    },
  );
}
