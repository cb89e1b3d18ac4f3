#!/usr/bin/env -S node --import tsx
// CLI entry under tsx (`npx tsx cmd/flowsync.ts …`, the tests, the bench). The CLI itself is
// src/cli/main.ts; the launcher runs it from the prebuilt bundle when that is up to date, which
// spares tsx compiling every module at each start (cmd/bundle.mjs). FLOWSYNC_NO_BUNDLE=1: sources.
import { launch } from './bundle.mjs';

void launch(process.argv.slice(2), { tsxLoaded: true });
