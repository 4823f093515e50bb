/**
 * Finds secrets in text, in every form the bot could emit them: plain, URL-encoded (both
 * encodeURIComponent and form encoding), base64 and base64url at any of the three byte alignments
 * (a secret inside `Basic base64(user:secret)` is not aligned on its own), and hex in either case.
 *
 * The whole suite's output is tens of MB and there are thousands of secrets (every harness has
 * random ones), so one `includes` per secret and encoding would take minutes on two cores. Instead
 * every needle is indexed by its first WINDOW characters and the text is read once, one window per
 * position; only a window that starts some needle is compared in full.
 */

export interface Secret {
  kind: string;
  value: string;
  source: string;
}

export interface Leak {
  kind: string;
  encoding: string;
  /** Where the secret was configured. */
  configuredIn: string;
  /** The output line it appeared in, secret masked, shortened. */
  line: string;
}

interface Needle {
  text: string;
  encoding: string;
  secret: Secret;
}

const WINDOW = 10;

/** The part of base64(prefix + secret) that depends only on the secret, for prefixes of 0–2 bytes. */
function base64Cores(value: string, url: boolean): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [0, 1, 2].map((pad) => {
    let b = Buffer.concat([Buffer.alloc(pad), bytes]).toString(url ? 'base64url' : 'base64');
    b = b.replace(/=+$/, '');
    // Characters mixing bits of the unknown neighbours are dropped at both ends.
    const skip = [0, 2, 3][pad]!;
    const trailingMixed = (pad + bytes.length) % 3 === 0 ? 0 : 1;
    return b.slice(skip, b.length - trailingMixed);
  });
}

export function encodingsOf(value: string): Array<{ encoding: string; text: string }> {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  const forms = [
    { encoding: 'plain', text: value },
    { encoding: 'URL-encoded', text: encodeURIComponent(value) },
    { encoding: 'form-encoded', text: new URLSearchParams({ x: value }).toString().slice(2) },
    // JSON.stringify escapes quotes and backslashes, which a password may hold.
    { encoding: 'JSON-escaped', text: JSON.stringify(value).slice(1, -1) },
    ...base64Cores(value, false).map((text) => ({ encoding: 'base64', text })),
    ...base64Cores(value, true).map((text) => ({ encoding: 'base64url', text })),
    { encoding: 'hex', text: hex },
    { encoding: 'hex', text: hex.toUpperCase() },
  ];
  const seen = new Set<string>();
  return forms.filter((f) => {
    if (seen.has(f.text)) return false;
    seen.add(f.text);
    return true;
  });
}

export class LeakScanner {
  private readonly byWindow = new Map<string, Needle[]>();
  private readonly short: Needle[] = [];

  constructor(secrets: readonly Secret[]) {
    const unique = new Map<string, Secret>();
    for (const s of secrets) if (!unique.has(s.value)) unique.set(s.value, s);
    for (const secret of unique.values()) {
      for (const { encoding, text } of encodingsOf(secret.value)) {
        const needle = { text, encoding, secret };
        if (text.length < WINDOW) {
          this.short.push(needle);
          continue;
        }
        const key = text.slice(0, WINDOW);
        const list = this.byWindow.get(key);
        if (list) list.push(needle);
        else this.byWindow.set(key, [needle]);
      }
    }
  }

  /** Every secret and encoding found in `text`, each once, with the line it first appears in. */
  scan(text: string): Leak[] {
    const found = new Map<Needle, number>();
    const end = text.length - WINDOW;
    for (let i = 0; i <= end; i++) {
      const candidates = this.byWindow.get(text.slice(i, i + WINDOW));
      if (!candidates) continue;
      for (const n of candidates) if (!found.has(n) && text.startsWith(n.text, i)) found.set(n, i);
    }
    for (const n of this.short) {
      const at = text.indexOf(n.text);
      if (at >= 0) found.set(n, at);
    }
    return [...found].map(([n, at]) => ({ kind: n.secret.kind, encoding: n.encoding, configuredIn: n.secret.source, line: lineAround(text, at, n.text.length) }));
  }
}

/** The line holding text[at, at + length), the secret itself masked, shortened to 240 characters around it. */
function lineAround(text: string, at: number, length: number): string {
  const start = Math.max(text.lastIndexOf('\n', at) + 1, at - 120);
  const nl = text.indexOf('\n', at + length);
  const stop = Math.min(nl < 0 ? text.length : nl, at + length + 120);
  return `${text.slice(start, at)}«${text.slice(at, at + 3)}…»${text.slice(at + length, stop)}`;
}
