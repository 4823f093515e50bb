/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on anything
 * a Prometheus server would reject or misread — bad names, label syntax or escapes, duplicate
 * labels, non-float values, a TYPE after its samples, a family split in two, a histogram whose
 * buckets are not cumulative or whose +Inf bucket differs from its _count. The one npm parser
 * (parse-prometheus-text-format) accepts malformed lines and drops labelled histograms' _count/_sum.
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (e.g. `x_bucket`, `x_count`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const family = (name: string): Family => {
    if (current?.name === name) return current;
    if (closed.has(name)) throw new Error(`family ${name} appears in two separate groups`);
    if (current) closed.add(current.name);
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    current = f;
    return f;
  };
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}: ${line.slice(0, 120)}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) return; // an ordinary comment
      const [, keyword, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${where}`);
      const f = family(name);
      if (keyword === 'HELP') {
        if (f.help !== undefined) throw new Error(`second HELP in ${where}`);
        f.help = unescape(rest, false, where);
      } else {
        if (!TYPES.includes(rest as MetricType)) throw new Error(`unknown type in ${where}`);
        if (f.samples.length) throw new Error(`TYPE after samples in ${where}`);
        f.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, where);
    family(familyOf(sample.name, current)).samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** `x_bucket`, `x_sum`, `x_count` belong to the histogram or summary `x` being read. */
function familyOf(sampleName: string, current: Family | undefined): string {
  if (current && (current.type === 'histogram' || current.type === 'summary')) {
    const suffixes = current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : ['_sum', '_count'];
    if (suffixes.some((s) => sampleName === current.name + s)) return current.name;
  }
  return sampleName;
}

function parseSample(line: string, where: string): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw new Error(`bad sample name in ${where}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      if (rest.startsWith('}')) break;
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest);
      if (!label?.[1] || !LABEL_NAME.test(label[1])) throw new Error(`bad label in ${where}`);
      rest = rest.slice(label[0].length);
      let raw = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new Error(`unterminated label value in ${where}`);
        if (c === '"') break;
        if (c === '\\') {
          raw += rest.slice(0, 2);
          rest = rest.slice(2);
        } else {
          raw += c;
          rest = rest.slice(1);
        }
      }
      rest = rest.slice(1);
      if (label[1] in labels) throw new Error(`duplicate label ${label[1]} in ${where}`);
      labels[label[1]] = unescape(raw, true, where);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`expected , or } in ${where}`);
    }
    rest = rest.slice(1);
  }
  const parts = rest.split(' ');
  if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`expected " value [timestamp]" in ${where}`);
  const value = parseFloatStrict(parts[1] ?? '', where);
  if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) throw new Error(`bad timestamp in ${where}`);
  return { name, labels, value };
}

/**
 * Values are what Go's strconv.ParseFloat accepts (the spec says so): decimal floats, and
 * case-insensitive `inf`/`infinity` with an optional sign and unsigned `nan` (prom-client writes `Nan`).
 */
function parseFloatStrict(text: string, where: string): number {
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([-+]?)inf(?:inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value "${text}" in ${where}`);
  return Number(text);
}

/** HELP allows `\\` and `\n`; label values also `\"`. Anything else after a backslash is invalid. */
function unescape(text: string, quoted: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_m, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quoted) return '"';
    throw new Error(`bad escape \\${c} in ${where}`);
  });
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { buckets: [] }));
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push([parseFloatStrict(le, `${f.name} le`), s.value]);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
    else if (s.name === `${f.name}_sum`) entry.sum = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, e] of series) {
    const last = e.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    for (let i = 1; i < e.buckets.length; i++) {
      const [prevLe, prevCount] = e.buckets[i - 1]!;
      const [le, count] = e.buckets[i]!;
      if (!(le > prevLe) || count < prevCount) throw new Error(`${f.name}${key}: buckets not increasing and cumulative`);
    }
    if (e.count === undefined || e.sum === undefined) throw new Error(`${f.name}${key}: missing _count or _sum`);
    if (e.count !== last[1]) throw new Error(`${f.name}${key}: +Inf bucket ${last[1]} ≠ _count ${e.count}`);
  }
}

/** Sum of the samples named `sample` whose labels include `labels` (0 when none). */
export function sampleSum(families: Map<string, Family>, sample: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}
