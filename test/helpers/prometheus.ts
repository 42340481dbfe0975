// Prometheus text as parsed by a real parser (parse-prometheus-text-format), and the value of a
// sample looked up by its metric name and labels.
// @ts-expect-error: the package ships no types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

export function parseMetrics(text: string): Family[] {
  return (parsePrometheusTextFormat as (t: string) => Family[])(text);
}

/** The sample of `name` whose labels include `labels`; undefined when none. */
export function sample(families: Family[], name: string, labels: Record<string, string> = {}): Family['metrics'][number] | undefined {
  const f = families.find((x) => x.name === name);
  return f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The numeric value of a counter or gauge sample (NaN when missing). */
export function valueOf(families: Family[], name: string, labels: Record<string, string> = {}): number {
  return Number(sample(families, name, labels)?.value ?? NaN);
}
