/** The strict exposition reader the metrics tests rely on: it must accept the spec and refuse the rest. */
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleSum } from './prometheus-text.js';

// The example from the exposition-format spec (comments, escapes, timestamps, a histogram, a summary).
const SPEC_EXAMPLE = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;

describe('parsePrometheusText', () => {
  it("reads the spec's example", () => {
    // The spec pads one value with spaces; Prometheus tolerates it, this reader wants single spaces.
    const families = parsePrometheusText(SPEC_EXAMPLE.replace('}    3', '} 3'));
    expect(families.get('http_requests_total')).toMatchObject({ type: 'counter', help: 'The total number of HTTP requests.' });
    expect(sampleSum(families, 'http_requests_total', { code: '400' })).toBe(3);
    expect(families.get('msdos_file_access_time_seconds')!.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(sampleSum(families, 'something_weird')).toBe(Infinity);
    expect(sampleSum(families, 'http_request_duration_seconds_count')).toBe(144320);
    expect(families.get('rpc_duration_seconds')!.samples).toHaveLength(3);
  });

  it.each([
    ['an unterminated label value', 'foo{bar="x} 1\n'],
    ['a value that is not a float', 'foo bar\n'],
    ['a fourth field', 'foo 1 2 3\n'],
    ['a duplicate label', 'foo{a="1",a="2"} 1\n'],
    ['a name starting with a digit', '0foo 1\n'],
    ['an unknown escape', 'foo{a="\\t"} 1\n'],
    ['a TYPE after samples', 'foo 1\n# TYPE foo counter\n'],
    ['an unknown type', '# TYPE foo thing\nfoo 1\n'],
    ['a family in two groups', 'foo 1\nbar 1\nfoo{a="b"} 2\n'],
    ['no trailing newline', 'foo 1'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose buckets shrink', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose count is not its +Inf bucket', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['a labelled histogram without _count', '# TYPE h histogram\nh_bucket{k="a",le="+Inf"} 2\nh_sum{k="a"} 1\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it('accepts the special values Go parses (prom-client writes NaN as "Nan")', () => {
    const families = parsePrometheusText('a Nan\nb -Inf\nc +inf\nd 1e-3\n');
    expect(sampleSum(families, 'a')).toBeNaN();
    expect(sampleSum(families, 'b')).toBe(-Infinity);
    expect(sampleSum(families, 'c')).toBe(Infinity);
    expect(sampleSum(families, 'd')).toBe(0.001);
  });
});
