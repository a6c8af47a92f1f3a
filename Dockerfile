# The wallet simulator in a container, for teams whose back end is not Rust:
#   docker build -t sips-wallet-simulator .
#   docker run --rm -p 7070:7070 sips-wallet-simulator
# Then point the code under test at http://127.0.0.1:7070 (demo merchant 011223344550000, key
# version 1, key sips-wallet-simulator-demo-key), or give it your merchant:
#   docker run --rm -p 7070:7070 -e SIPS_MERCHANT_ID=… -e SIPS_KEY_VERSION=1 -e SIPS_SECRET_KEY=… …
# The admin API (/_simulator/: reset, calls, clock) needs a token here, since the container listens
# on every interface: -e SIPS_SIMULATOR_ADMIN_TOKEN=… and `Authorization: Bearer …` on each request.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin sips-wallet

FROM debian:bookworm-slim
COPY --from=build /src/target/release/sips-wallet /usr/local/bin/sips-wallet
EXPOSE 7070
# Listening on every interface inside the container; the host decides what reaches it (-p).
ENTRYPOINT ["sips-wallet", "serve", "--listen", "0.0.0.0:7070"]
