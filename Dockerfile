# tics-bot image. `.ci/run` builds it and runs test/container/image.test.ts against it;
# test/packaging/dockerfile.test.ts checks it against package.json, the source tree and .dockerignore.
#
#   docker build -t tics-bot .
#   docker run --env-file .env -v tics-data:/data -p 3000:3000 tics-bot
#
# Every stage starts from the same base so the sqlite3 addon compiled in `prod-deps` matches the
# runtime's glibc and Node exactly; only the runtime stage ships, and it has no compiler.

FROM node:24-trixie-slim AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# sqlite3 is a native addon: when no prebuilt binary can be downloaded, `npm ci` compiles it with
# node-gyp. The image already holds Node's headers, so point node-gyp there instead of fetching them.
# The node-gyp sqlite3 bundles imports `distutils`, which trixie's Python 3.13 no longer ships:
# python3-setuptools provides it. npm 11 runs only the install scripts package.json's
# `allowScripts` approves (sqlite3, esbuild).
FROM base AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-setuptools make g++ \
    && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./

# Compile TypeScript with the dev dependencies (typescript, @types/node). tsc needs no install
# script, so sqlite3 is compiled once (in prod-deps), not twice.
FROM toolchain AS build
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only, sqlite3 compiled here, copied into the runtime below. The addon
# loads build/Release/node_sqlite3.node alone; its object files and bundled sources are ~20 MB.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev \
    && rm -rf node_modules/sqlite3/build/Release/obj* node_modules/sqlite3/build/Release/*.a \
        node_modules/sqlite3/deps node_modules/sqlite3/src

FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    STORE_URL=sqlite:///data/tics-bot.sqlite
# The volume directory must exist and belong to the app user before VOLUME: a fresh named volume
# copies this ownership, and changes made after VOLUME would be discarded.
RUN mkdir -p /data && chown node:node /data
# Code stays owned by root: the app user can read it but only write to /data.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
VOLUME ["/data"]
# `node` (uid 1000) ships with the official image.
USER node
EXPOSE 3000
# Slim images have no curl or wget; Node 24 has fetch. /readyz answers in HTTP and Socket Mode: 503
# while Slack is not connected, the store unreachable or the watcher stalled (/healthz is its alias).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1. The kernel gives PID 1 no default signal actions, but main.ts installs SIGTERM
# and SIGINT handlers, so `docker stop` shuts the bot down cleanly (it force-exits after 10 s; give
# `docker stop -t 15` some slack). The bot spawns no child processes, so there is nothing to reap;
# `docker run --init` (tini) is harmless but not needed.
# --max-semi-space-size=1 (MB): V8's young generation otherwise grows to 32 MB during start-up and
# keeps it; the bot allocates little, so the cap costs no measurable CPU and saves ~15 MB idle,
# ~60 MB under load (bench/README.md, "memory"). Same command as `npm start` (a test checks).
CMD ["node", "--max-semi-space-size=1", "dist/main.js"]
