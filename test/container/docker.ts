/**
 * The Docker CLI for tests that run the built image. Every container and volume made through a
 * `DockerScope` is remembered, so `afterEach`/`afterAll` remove them even when a test failed or
 * timed out half-way.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * CI passes the client container-base.sh chose (DOCKER=…): on these machines a docker client with
 * no engine of its own can sit earlier on PATH than the one installed beside dockerd.
 */
export const DOCKER_BIN = process.env.DOCKER ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

/** Containers and volumes made by these tests carry it, so CI can sweep up after a killed run. */
export const TEST_LABEL = 'tics-bot.test=container';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export function docker(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; allowFailure?: boolean } = {}): Promise<DockerResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      DOCKER_BIN,
      args,
      { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const result = { code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, elapsedMs: Date.now() - started };
        if (error && !opts.allowFailure) {
          reject(new Error(`docker ${args.join(' ')} failed (${error.killed ? `killed after ${opts.timeoutMs ?? 30_000} ms` : `exit ${result.code}`}):\n${stderr || stdout}`));
        } else resolve(result);
      },
    );
  });
}

const ContainerState = z.looseObject({
  Status: z.string(),
  Running: z.boolean(),
  ExitCode: z.number(),
  StartedAt: z.string(),
  Health: z.looseObject({ Status: z.string(), Log: z.array(z.looseObject({ ExitCode: z.number(), Output: z.string() })).nullable() }).optional(),
});
export type ContainerState = z.infer<typeof ContainerState>;

export async function containerState(name: string): Promise<ContainerState> {
  const { stdout } = await docker(['inspect', '--format', '{{json .State}}', name]);
  return ContainerState.parse(JSON.parse(stdout));
}

/** stdout and stderr of every run of the container so far (a restarted container keeps both). */
export async function containerLogs(name: string): Promise<string> {
  const { stdout, stderr } = await docker(['logs', name], { allowFailure: true });
  return stdout + stderr;
}

export interface RunOptions {
  image: string;
  /** Passed by name (`-e NAME`) from the client's environment, so no value shows in `ps`. */
  env: Record<string, string>;
  /** volume name → mount point */
  volumes?: Record<string, string>;
  readOnly?: boolean;
  tmpfs?: string[];
  /** `docker run` health flags overriding the image's, to keep the test fast. */
  health?: { intervalSeconds: number; startPeriodSeconds: number };
}

export class DockerScope {
  private readonly containers = new Set<string>();
  private readonly volumes = new Set<string>();
  private seq = 0;

  constructor(private readonly prefix: string) {}

  name(what: string): string {
    return `${this.prefix}-${what}-${++this.seq}`;
  }

  async createVolume(what: string): Promise<string> {
    const name = this.name(what);
    this.volumes.add(name);
    await docker(['volume', 'create', '--label', TEST_LABEL, name]);
    return name;
  }

  /** `docker run -d` on the host network; resolves with the container's name. */
  async run(what: string, opts: RunOptions): Promise<string> {
    const name = this.name(what);
    const args = ['run', '-d', '--name', name, '--label', TEST_LABEL, '--network', 'host'];
    for (const key of Object.keys(opts.env)) args.push('-e', key);
    for (const [volume, target] of Object.entries(opts.volumes ?? {})) args.push('-v', `${volume}:${target}`);
    if (opts.readOnly) args.push('--read-only');
    for (const path of opts.tmpfs ?? []) args.push('--tmpfs', path);
    if (opts.health) args.push('--health-interval', `${opts.health.intervalSeconds}s`, '--health-start-period', `${opts.health.startPeriodSeconds}s`);
    args.push(opts.image);
    this.containers.add(name);
    await docker(args, { env: opts.env });
    return name;
  }

  /** Force-removes every container this scope started (anonymous volumes with them). */
  async removeContainers(): Promise<void> {
    const names = [...this.containers];
    this.containers.clear();
    if (names.length) await docker(['rm', '-f', '-v', ...names], { allowFailure: true });
  }

  async removeVolumes(): Promise<void> {
    const names = [...this.volumes];
    this.volumes.clear();
    if (names.length) await docker(['volume', 'rm', '-f', ...names], { allowFailure: true });
  }
}

/** Polls the container's state until `done` holds; fails at once if the container exited. */
export async function waitForState(name: string, what: string, done: (s: ContainerState) => boolean, timeoutMs: number): Promise<ContainerState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await containerState(name);
    if (done(state)) return state;
    if (!state.Running || Date.now() > deadline) {
      const health = state.Health?.Log?.map((l) => `exit ${l.ExitCode}: ${l.Output.trim()}`).join('\n') ?? '';
      throw new Error(
        `${name}: not ${what} ${state.Running ? `within ${timeoutMs} ms` : `(it ${state.Status}, exit ${state.ExitCode})`}; state ${state.Status}, health ${state.Health?.Status ?? '-'}\n${health}\nlogs:\n${tail(await containerLogs(name))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function tail(text: string, max = 4_000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
