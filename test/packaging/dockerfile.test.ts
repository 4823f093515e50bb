/**
 * What can be checked without a Docker engine, in every test run: the Dockerfile's structure, that
 * its commands match package.json and the source tree, that .dockerignore does not hide what it
 * copies, that the runtime stage carries only production dependencies, and that its HEALTHCHECK
 * command really works. `.ci/run` also builds the image and runs test/container/ against it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCommonConfig } from '../../src/config.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const packageJson = z
  .object({
    type: z.string().optional(),
    scripts: z.record(z.string(), z.string()),
    dependencies: z.record(z.string(), z.string()),
    devDependencies: z.record(z.string(), z.string()),
  })
  .parse(JSON.parse(read('package.json')));

// ---------------------------------------------------------------------------------------------
// A small Dockerfile parser: enough of the reference syntax for the checks below.

interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

interface Stage {
  /** `FROM <base>`: an image reference or an earlier stage's name. */
  base: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment lines are dropped even inside a continuation, as BuildKit does.
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continues = /\\\s*$/.test(raw);
    const content = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (pending) pending.parts.push(content.trim());
    else pending = { parts: [content.trim()], line: index + 1 };
    if (continues) return;
    const joined = pending.parts.filter(Boolean).join(' ');
    const [keyword = ''] = joined.split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: joined.slice(keyword.length).trim(), line: pending.line });
    pending = undefined;
  });
  if (pending) throw new Error(`Dockerfile ends inside a line continuation (line ${pending.line})`);
  return out;
}

function splitStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const [base = '', as, name] = words;
      stages.push({ base, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else if (stages.length) {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return stages;
}

/** Exec form (JSON array) or shell form split on whitespace. */
function words(args: string): string[] {
  if (args.startsWith('[')) return z.array(z.string()).parse(JSON.parse(args));
  return args.split(/\s+/).filter(Boolean);
}

/** Leading `--flag[=value]` options, then the rest. */
function flags(args: string): { flags: Record<string, string>; rest: string } {
  const found: Record<string, string> = {};
  let rest = args.trim();
  for (let m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); m; m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
    found[m[1]!] = m[2] ?? '';
    rest = rest.slice(m[0].length);
  }
  return { flags: found, rest };
}

/** `ENV A=1 B="two words"` (or the legacy `ENV A value`). */
function envPairs(args: string): Array<[string, string]> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key = '', ...value] = args.split(/\s+/);
    return [[key, value.join(' ')]];
  }
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, '$1')]);
}

/** The stages an image is made of, root first: `FROM base AS runtime` → [base, runtime]. */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  for (let s = stage; ; ) {
    const parent = stages.find((p) => p.name === s.base);
    if (!parent || chain.includes(parent)) return chain;
    chain.unshift(parent);
    s = parent;
  }
}

const rootImage = (stages: Stage[], stage: Stage) => lineage(stages, stage)[0]!.base;
const instructionsOf = (stages: Stage[], stage: Stage) => lineage(stages, stage).flatMap((s) => s.instructions);
const stageNamed = (stages: Stage[], name: string) => stages.find((s) => s.name === name);

// ---------------------------------------------------------------------------------------------
// .dockerignore, with Docker's semantics: patterns relative to the context root, `**` any depth,
// a directory match excludes its contents, later `!pattern` lines re-include.

function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const source = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => (part.startsWith('**') ? '(?:.*/)?' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { negate, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path) => rules.reduce((excluded, rule) => (rule.regex.test(path) ? !rule.negate : excluded), false);
}

function filesUnder(path: string): string[] {
  const abs = join(ROOT, path);
  if (!statSync(abs).isDirectory()) return [path];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

// ---------------------------------------------------------------------------------------------
// What the runtime really loads: main.ts's import graph, type-only imports excluded.

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function runtimePackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  const builtins = new Set(builtinModules);
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const specifiers: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
      if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg && ts.isStringLiteral(arg)) specifiers.push(arg.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:') && !builtins.has(spec)) packages.set(packageOf(spec), relative(ROOT, file));
    }
  }
  return packages;
}

// ---------------------------------------------------------------------------------------------

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout: 15_000 }, (error) => done(error ? (typeof error.code === 'number' ? error.code : -1) : 0));
  });
}

async function listen(status: number | 'closed'): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(req.url === '/readyz' && status !== 'closed' ? status : 404).end('{}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((ok) => server.close(() => ok()));
  if (status === 'closed') await close();
  return { port, paths, close: status === 'closed' ? () => Promise.resolve() : close };
}

const DOCKERFILE = read('Dockerfile');
const instructions = parseDockerfile(DOCKERFILE);
const stages = splitStages(instructions);
const final = stages.at(-1)!;
const finalInstructions = instructionsOf(stages, final);
const finalEnv = new Map(finalInstructions.filter((i) => i.keyword === 'ENV').flatMap((i) => envPairs(i.args)));
const ignored = dockerignore(read('.dockerignore'));
const runCommands = (list: Instruction[]) => list.filter((i) => i.keyword === 'RUN').map((i) => i.args);

describe('the Dockerfile parser', () => {
  it('joins continuations, skips comments inside them and keeps line numbers', () => {
    const parsed = parseDockerfile('# c\nFROM node:24-slim AS a\n\nRUN apt-get update \\\n  # note\n  && echo hi\nENV A=1 \\\n    B="x y"\n');
    expect(parsed.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'node:24-slim AS a', 2],
      ['RUN', 'apt-get update && echo hi', 4],
      ['ENV', 'A=1 B="x y"', 7],
    ]);
    expect(envPairs(parsed[2]!.args)).toEqual([
      ['A', '1'],
      ['B', 'x y'],
    ]);
    expect(() => parseDockerfile('RUN echo \\')).toThrow(/continuation/);
  });

  it('matches .dockerignore patterns the way Docker does', () => {
    const match = dockerignore('node_modules\n**/*.log\n.env.*\n!.env.example\n');
    expect(match('node_modules/x/index.js')).toBe(true);
    expect(match('src/node_modules')).toBe(false);
    expect(match('a/b/c.log')).toBe(true);
    expect(match('.env.local')).toBe(true);
    expect(match('.env.example')).toBe(false);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage and ships a Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(rootImage(stages, final)).toMatch(/^node:24(?:\.\d+){0,2}(?:-[a-z]+)?-slim(?:@sha256:[0-9a-f]{64})?$/);
    for (const s of stages) expect(s.base, 'every stage starts from a stage above or an image').toMatch(/\S/);
  });

  it('runs as a non-root user', () => {
    const user = finalInstructions.filter((i) => i.keyword === 'USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('runs what `npm start` runs, and that file is what the build emits for an existing source', () => {
    const entrypoint = finalInstructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    const cmd = finalInstructions.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd?.args.startsWith('['), 'CMD in exec form, so node is PID 1 and receives SIGTERM').toBe(true);
    const argv = [...(entrypoint ? words(entrypoint.args) : []), ...words(cmd?.args ?? '[]')];
    const start = packageJson.scripts.start?.split(/\s+/);
    expect(argv).toEqual(start);

    const build = z.object({ compilerOptions: z.object({ rootDir: z.string(), outDir: z.string() }) }).parse(JSON.parse(read('tsconfig.build.json')));
    const script = argv.find((a) => a.endsWith('.js'))!;
    const source = join(build.compilerOptions.rootDir, relative(build.compilerOptions.outDir, script)).replace(/\.js$/, '.ts');
    expect(existsSync(join(ROOT, source)), `${script} is compiled from ${source}`).toBe(true);
  });

  it('only runs npm scripts that package.json defines, and builds in some stage', () => {
    const all = runCommands(instructions);
    const named = all.flatMap((cmd) => [...cmd.matchAll(/npm run(?:-script)?\s+([\w:-]+)/g)].map((m) => m[1]!));
    expect(named).toContain('build');
    for (const name of named) expect(Object.keys(packageJson.scripts)).toContain(name);
  });

  it('has package.json and the lockfile in place before every npm ci', () => {
    const installing = stages.filter((s) => runCommands(s.instructions).some((c) => /npm ci\b/.test(c)));
    expect(installing.length).toBeGreaterThan(0);
    for (const stage of installing) {
      const chain = instructionsOf(stages, stage);
      const firstCi = chain.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args));
      const copied = chain
        .slice(0, firstCi)
        .filter((i) => i.keyword === 'COPY' && !('from' in flags(i.args).flags))
        .flatMap((i) => words(flags(i.args).rest).slice(0, -1));
      expect(copied, `stage ${stage.name ?? stage.base}`).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    }
  });

  it('copies only paths that exist in the repo and are not hidden by .dockerignore', () => {
    const copies = instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    const local = copies.filter((i) => !('from' in flags(i.args).flags));
    expect(local.length).toBeGreaterThan(0);
    for (const ins of local) {
      const paths = words(flags(ins.args).rest);
      for (const src of paths.slice(0, -1)) {
        expect(existsSync(join(ROOT, src)), `line ${ins.line}: COPY ${src}`).toBe(true);
        for (const file of filesUnder(src)) expect(ignored(file), `line ${ins.line}: ${file} is excluded by .dockerignore`).toBe(false);
      }
    }
    for (const ins of copies.filter((i) => 'from' in flags(i.args).flags)) {
      const from = flags(ins.args).flags.from!;
      expect(stageNamed(stages, from), `line ${ins.line}: COPY --from=${from} names a stage`).toBeDefined();
    }
  });

  it('ships the built code and production node_modules compiled on the runtime base image', () => {
    const copiesInto = (target: string) =>
      final.instructions
        .filter((i) => i.keyword === 'COPY' && 'from' in flags(i.args).flags)
        .find((i) => words(flags(i.args).rest).at(-1)?.replace(/^\.\//, '').replace(/\/$/, '') === target);
    const dist = copiesInto('dist');
    const modules = copiesInto('node_modules');
    expect(dist && modules).toBeTruthy();

    const distStage = stageNamed(stages, flags(dist!.args).flags.from!)!;
    expect(runCommands(instructionsOf(stages, distStage)).join('\n')).toMatch(/npm run build\b/);

    const depsStage = stageNamed(stages, flags(modules!.args).flags.from!)!;
    const install = runCommands(depsStage.instructions).find((c) => /npm ci\b/.test(c));
    expect(install, 'node_modules comes from `npm ci --omit=dev`').toMatch(/--omit[= ]dev\b/);
    // sqlite3 is a native addon: built against another glibc or Node it would not load.
    expect(rootImage(stages, depsStage)).toBe(rootImage(stages, final));
  });

  it('keeps dev dependencies and compilers out of the runtime image', () => {
    for (const cmd of runCommands(finalInstructions)) {
      for (const m of cmd.matchAll(/npm (?:ci|install|i)\b[^&;|]*/g)) expect(m[0], 'an npm install in the runtime stage must omit dev deps').toMatch(/--omit[= ]dev\b/);
      expect(cmd).not.toMatch(/\b(apt-get|apt|apk)\s+(?:-\S+\s+)*(install|add)\b[^&;|]*\b(python3?|make|g\+\+|gcc|build-essential|build-base)\b/);
    }
  });

  it('copies package.json into the runtime, which dist needs to load as ESM', () => {
    expect(packageJson.type).toBe('module');
    const copied = final.instructions.filter((i) => i.keyword === 'COPY' && !('from' in flags(i.args).flags)).flatMap((i) => words(flags(i.args).rest).slice(0, -1));
    expect(copied).toContain('package.json');
  });

  it('needs only production dependencies at runtime', () => {
    const used = runtimePackages('src/main.ts');
    expect(used.has('@slack/bolt'), 'the import scan reaches the Slack app').toBe(true);
    for (const [name, file] of used) expect(Object.keys(packageJson.dependencies), `${file} imports ${name}`).toContain(name);
  });

  it('keeps STORE_URL on a volume owned by the app user, with a value the config accepts', () => {
    const storeUrl = finalEnv.get('STORE_URL') ?? '';
    expect(storeUrl).toMatch(/^sqlite:\/\/\//);
    const parsed = parseCommonConfig({ STORE_URL: storeUrl });
    expect(parsed.ok && parsed.value.storeUrl).toBe(storeUrl);

    const path = storeUrl.slice('sqlite://'.length);
    const volumeIndex = final.instructions.findIndex((i) => i.keyword === 'VOLUME');
    const volumes = volumeIndex >= 0 ? words(final.instructions[volumeIndex]!.args) : [];
    const volume = volumes.find((v) => path.startsWith(`${v.replace(/\/$/, '')}/`));
    expect(volume, `${path} lies inside a VOLUME`).toBeDefined();

    // A named volume copies the directory's ownership from the image, and only as it was when
    // VOLUME ran: the chown has to come first.
    const user = finalInstructions.filter((i) => i.keyword === 'USER').at(-1)?.args.split(':')[0] ?? '';
    const chown = final.instructions.findIndex((i) => i.keyword === 'RUN' && new RegExp(`chown\\s+(-\\S+\\s+)*${user}(:\\S+)?\\s+(\\S+\\s+)*${volume}\\b`).test(i.args));
    expect(chown, `RUN chown ${user} ${volume} before VOLUME`).toBeGreaterThanOrEqual(0);
    expect(chown).toBeLessThan(volumeIndex);
  });

  it('exposes the port the bot listens on', () => {
    const exposed = finalInstructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => words(i.args).map((p) => p.split('/')[0]));
    expect(exposed).toContain(finalEnv.get('PORT') ?? '3000');
  });

  describe('HEALTHCHECK', () => {
    const healthcheck = finalInstructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
    const { rest } = flags(healthcheck?.args ?? '');
    const command = rest.replace(/^CMD\s+/, '');
    const argv = command.startsWith('[') ? words(command) : [];

    it('runs node against /readyz (slim images have no curl or wget)', () => {
      expect(healthcheck).toBeDefined();
      expect(argv[0]).toBe('node');
      expect(command).toContain('/readyz');
      expect(command).not.toMatch(/\b(curl|wget)\b/);
    });

    const runIt = (port: number) => run(process.execPath, argv.slice(1), { PATH: process.env.PATH, PORT: String(port) });

    it('passes when /readyz answers 200 on $PORT', async () => {
      const server = await listen(200);
      try {
        expect(await runIt(server.port)).toBe(0);
        expect(server.paths).toEqual(['/readyz']);
      } finally {
        await server.close();
      }
    });

    it('fails when /readyz answers 503 (not ready) or nothing listens', async () => {
      const unhealthy = await listen(503);
      try {
        expect(await runIt(unhealthy.port)).not.toBe(0);
      } finally {
        await unhealthy.close();
      }
      const closed = await listen('closed');
      expect(await runIt(closed.port)).not.toBe(0);
    });
  });
});

describe('.dockerignore', () => {
  it('keeps host installs, build output, local data, git and secrets out of the build context', () => {
    for (const path of ['node_modules/sqlite3/package.json', 'dist/main.js', 'data/tics-bot.sqlite', '.git/HEAD', '.env', '.env.production', 'coverage/index.html']) {
      expect(ignored(path), path).toBe(true);
    }
  });
});
