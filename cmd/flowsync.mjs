#!/usr/bin/env node
// The `flowsync` bin: plain JavaScript, so a start needs neither tsx nor TypeScript when the
// prebuilt bundle is up to date (cmd/bundle.mjs); otherwise it rebuilds it or runs the sources.
import { launch } from './bundle.mjs';

void launch(process.argv.slice(2), { tsxLoaded: false });
