// The scenarios `npm run bench` runs, in order; each is bench/scenarios/<name>.ts.
export const SCENARIOS = [
  { name: 'plan-scale', summary: '1. load+validate, read live state, plan at N = 100, 1,000, 10,000' },
  { name: 'noop-reconcile', summary: '2. no-op reconcile at N = 1,000: requests vs list-page minimum, zero writes' },
  { name: 'apply-rate-limit', summary: '3. apply 100 new destinations under R req/s + 50 ms latency vs the floor' },
  { name: 'vs-tutorial', summary: "4. flowsync apply vs the tutorial's sequential calls, 100 destinations, 50 ms" },
  { name: 'commit-to-converged', summary: '5. daemon: commit to live, p50/p95, webhook and folder watch' },
  { name: 'drift', summary: '6. daemon: out-of-band edit to detection and to healing' },
  { name: 'cli-startup', summary: '7. `flowsync validate` and `flowsync plan` on the example repo' },
  { name: 'apply-429-storm', summary: '8. apply 30 new destinations while 50 % of answers are 429 (Retry-After: 1)' },
  { name: 'installed-startup', summary: '9. npm package: `flowsync --help` from an installed copy in another folder, install size' },
  { name: 'audience-names', summary: '10. segments by name: 1,000 destinations x 20 names in 10 sandboxes cost one audience list walk per sandbox' },
  { name: 'daemon-steady', summary: '11. daemon at N = 10,000, nothing changed: CPU per no-op cycle, RSS after 100 cycles vs after 1' },
] as const;
