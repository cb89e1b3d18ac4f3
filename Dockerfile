# flowsync as a container image: `flowsync run` (the daemon) by default, any other command as
# arguments, as a non-root user (uid 1000, the official Node images' `node`) on a read-only root
# filesystem. The only writable places it needs are the cache volume (the clone of the config
# repository) and /tmp. docs/container.md: building, running, secrets, verifying.
#
#   docker build -t flowsync .                              # the bundle built in the image (npm ci + npm run build)
#   npm run build && docker build --target prebuilt -t flowsync .    # the bundle built on the host (dist/)
#   docker build --build-arg BASE=flowsync-local/node:20 …  # another Node base (scripts/local-node-base.sh)
#
# Stages the target does not need are skipped by BuildKit (every current Docker); the legacy
# builder builds every stage before the target, so it wants dist/ even for the default target.

ARG BASE=node:22-alpine

# What every variant shares: git (the daemon clones with it), the schemas, the license, the user
# and the settings a pod needs. A base that brings its own git (scripts/local-node-base.sh) needs
# no package manager and no network here.
FROM ${BASE} AS runtime
RUN if ! command -v git >/dev/null; then \
      if command -v apk >/dev/null; then apk add --no-cache git openssh-client ca-certificates; \
      else apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates && rm -rf /var/lib/apt/lists/*; fi; \
    fi \
 && mkdir -p /opt/flowsync/dist/cli /config \
 && mkdir -p -m 0700 /var/cache/flowsync \
 && chown 1000:1000 /var/cache/flowsync \
 && ln -s /opt/flowsync/dist/cli/flowsync.mjs /usr/local/bin/flowsync
COPY LICENSE /opt/flowsync/
COPY schemas/ /opt/flowsync/schemas/
# The daemon serves /healthz, /readyz, /metrics, /status and the webhook on every interface (a
# probe and a scrape come from outside the container) and clones into the volume. git reads its
# configuration from HOME: /tmp is readable on a read-only root and writable where it is a tmpfs.
ENV FLOWSYNC_LISTEN=0.0.0.0:9465 \
    FLOWSYNC_CACHE_DIR=/var/cache/flowsync \
    HOME=/tmp \
    TMPDIR=/tmp
VOLUME /var/cache/flowsync
WORKDIR /config
USER 1000:1000
EXPOSE 9465
LABEL org.opencontainers.image.title="flowsync" \
      org.opencontainers.image.description="GitOps for Adobe Experience Platform streaming destinations" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["flowsync"]
# A config folder mounted at /config, watched; in a pod: run --repo URL --branch B --path DIR.
CMD ["run", "--dir", "/config"]

# The bundle built on the host with `npm run build`: no registry, no network.
FROM runtime AS prebuilt
COPY dist/ /opt/flowsync/dist/

# The bundle built from the sources with the locked dependencies (this stage reaches the npm registry).
FROM ${BASE} AS build
# Behind a proxy that re-signs TLS: a CA bundle inside the base, e.g. /etc/ssl/certs/ca-certificates.crt.
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY cmd/ cmd/
COPY src/ src/
# The build context has no .git: the revision `flowsync version` reports comes in as an argument.
ARG FLOWSYNC_BUILD_REVISION=unknown
RUN FLOWSYNC_BUILD_REVISION="$FLOWSYNC_BUILD_REVISION" npm run build

FROM runtime
COPY --from=build /src/dist/ /opt/flowsync/dist/
