// The CLI's entry. In development it runs through tsx (`npx tsx cmd/flowsync.ts …`,
// `npm run flowsync --`, the tests); cmd/build.ts bundles it into the package's bin,
// dist/cli/flowsync.mjs, which runs without tsx or a build step.
import { runCli } from '../src/cli/main.ts';

await runCli(process.argv.slice(2));
