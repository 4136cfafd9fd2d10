# syntax=docker/dockerfile:1.7
# One image per Rust service of the workspace:
#   docker build -f infra/docker/rust-service.Dockerfile --build-arg SERVICE=api .
# Stages: chef (cargo-chef) -> planner (dependency recipe) -> build (dependencies cached in
# their own layer, then the workspace) -> runtime (debian slim, non-root, only the binary).
ARG RUST_IMAGE=rust:1.95.0-bookworm
ARG RUNTIME_IMAGE=debian:12.12-slim

FROM ${RUST_IMAGE} AS chef
# rdkafka builds the bundled librdkafka with its own configure + make (needs a C toolchain,
# perl, python3) and links the system zlib.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential perl python3 pkg-config zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --version 0.1.78 --locked
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<binary>" >&2; exit 1; }
COPY --from=planner /src/recipe.json recipe.json
# Dependencies only: this layer is reused until Cargo.toml/Cargo.lock change.
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin "$SERVICE"
COPY . .
# Queries are checked against the committed .sqlx/ metadata: no database at build time.
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked --bin "$SERVICE" \
 && install -D -m 0755 "target/release/$SERVICE" "/out/$SERVICE"

FROM ${RUNTIME_IMAGE} AS runtime
ARG SERVICE
# ca-certificates for TLS endpoints; curl for the container healthcheck.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 orderflow \
 && useradd --system --uid 10001 --gid orderflow --no-create-home --shell /usr/sbin/nologin orderflow
COPY --from=build /out/${SERVICE} /usr/local/bin/${SERVICE}
# A fixed entrypoint name, whatever the service (ENTRYPOINT cannot expand build args).
RUN ln -s "/usr/local/bin/${SERVICE}" /usr/local/bin/orderflow-service
ENV RUST_LOG=info
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/orderflow-service"]
