# syntax=docker/dockerfile:1
#
# perfcycle: the GraphQL server and the `perfcycle` command in one small image.
#
#   docker build -t perfcycle .
#   docker run --rm -p 8080:8080 -e PERFCYCLE_JWT_SECRET=... perfcycle          # serve (SQLite in /app/data)
#   docker run --rm -e DATABASE_URL=postgres://... perfcycle migrate              # any other subcommand
#
# Needs BuildKit (the default in current Docker) for the cache mounts below.

# ---------------------------------------------------------------------------------------------
# Builder: compiles the release binary. TLS is rustls (ring) and SQLite is bundled by sqlx
# (libsqlite3-sys "bundled"), so the C compiler already in the rust image is all that is needed:
# no OpenSSL, no system SQLite.
# ---------------------------------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /app

# The whole workspace: `tests` is a member, so it must be present for the workspace to resolve
# even though only the `api` package is built.
COPY Cargo.toml Cargo.lock ./
COPY entity ./entity
COPY migration ./migration
COPY domain ./domain
COPY worker ./worker
COPY api ./api
COPY tests ./tests

# The registry and target folders live in cache mounts (kept between builds, absent from the
# image), so the binary is copied out to a normal path within the same RUN.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --release -p api --locked \
    && cp /app/target/release/perfcycle /usr/local/bin/perfcycle

# ---------------------------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: TLS to databases, Redis and SMTP servers; tzdata: zone names;
# curl: for the compose healthcheck (GET /readyz), since the image has no other HTTP client.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 perfcycle \
    && useradd --system --uid 10001 --gid perfcycle --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin perfcycle

WORKDIR /app
# Local state (the embedded SQLite database, a generated token secret) goes to ./data by default,
# i.e. /app/data. Mount a volume there to keep it; a perfcycle.toml mounted at
# /app/perfcycle.toml is read automatically.
RUN mkdir -p /app/data && chown perfcycle:perfcycle /app/data

COPY --from=builder /usr/local/bin/perfcycle /usr/local/bin/perfcycle

USER perfcycle
ENV PERFCYCLE_HOST=0.0.0.0
EXPOSE 8080

# No HEALTHCHECK here: docker-compose.yml checks `curl -fsS http://localhost:8080/readyz`.
ENTRYPOINT ["perfcycle"]
CMD ["serve"]
