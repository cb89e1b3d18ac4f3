// docs/reference/metrics.md from a daemon's prom-client registry: the metrics a DaemonMetrics
// registers, read back from the registry (nothing listens, nothing is scraped).
import type { Registry } from 'prom-client';
import { code, page, table } from './markdown.ts';

interface MetricShape {
  name: string;
  help: string;
  type: string;
  labelNames?: readonly string[];
}

export function metricRows(registry: Registry): string[][] {
  return (registry.getMetricsAsArray() as unknown as MetricShape[])
    .map((m) => [code(m.name), m.type, (m.labelNames ?? []).map(code).join(', '), m.help])
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

export function renderMetricsReference(registry: Registry): string {
  return page(
    'Metrics reference',
    [
      'The daemon (`flowsync run`) serves these at `GET /metrics` in the Prometheus text format. Besides them it exports the standard Node.js process metrics of prom-client (`flowsync_process_cpu_seconds_total`, `flowsync_nodejs_heap_size_used_bytes`, …), with the same `flowsync_` prefix.',
    ],
    [table(['Metric', 'Type', 'Labels', 'What it counts'], metricRows(registry))],
  );
}
