# syntax=docker/dockerfile:1
# Switchboard worker: the container ECS runs for long jobs.
# Build from the repository root, because the worker is a workspace member:
#   docker buildx build --platform linux/arm64 -f infra/worker.Dockerfile -t switchboard-worker .

# Keep this at or above the workspace's rust-version in Cargo.toml.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
ARG TARGETPLATFORM
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
# Cache mounts keep the registry and target directory between builds, one
# target cache per platform. The binary is copied out because cache mounts are
# not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,id=switchboard-target-${TARGETPLATFORM},sharing=locked \
    cargo build --release --locked -p switchboard-worker \
    && cp target/release/switchboard-worker /usr/local/bin/switchboard-worker

# Same Debian release as the build stage, so the binary finds the glibc it was linked against.
FROM debian:bookworm-slim AS runtime
# TLS to Slack, Jenkins and the AWS APIs verifies against the system roots.
# ca-certificates is left unpinned: old versions leave the archive, and the
# newest roots are the ones wanted.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# A fixed numeric id lets ECS and scanners see the user is not root.
RUN groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid switchboard --no-create-home --shell /usr/sbin/nologin switchboard
COPY --from=build /usr/local/bin/switchboard-worker /usr/local/bin/switchboard-worker
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/switchboard-worker"]
