//! Connections: HTTP/1.1 over plain TCP, HTTP/1.1 or HTTP/2 (as ALPN chooses) over TLS, with
//! header-read (and keep-alive idle) and whole-request timeouts, a cap on open connections, and a
//! graceful shutdown that lets calls in flight finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::Request;

use super::connections::{Connections, Full, Serving};
use super::handle;
use crate::simulator::journal::{CallFilter, CallRecord};
use crate::simulator::reply::{too_large, Dropped};
use crate::simulator::state::Shared;
use crate::simulator::{
    AddedRules, Scenario, SimulatorConfig, StartError, StoreError, MAX_REQUEST_BYTES,
};

/// A running simulator. It stops when dropped; [`Simulator::shutdown`] stops it gracefully.
pub struct Simulator {
    local_addr: SocketAddr,
    scheme: &'static str,
    certificate_pem: Option<String>,
    seed: u64,
    stop: Option<oneshot::Sender<Duration>>,
    task: tokio::task::JoinHandle<bool>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Opens the state and starts serving on `addr` (port 0 for any free port).
    pub async fn start(config: SimulatorConfig, addr: SocketAddr) -> Result<Simulator, StartError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Listen { addr, source })?;
        let tls = config.tls.as_ref().map(super::tls::acceptor).transpose()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = Arc::new(Shared::new(config, local_addr, scheme)?);
        let seed = shared.seed;
        let (stop, stopped) = oneshot::channel();
        let (acceptor, certificate_pem) = tls.unzip();
        let task = tokio::spawn(accept_connections(
            listener,
            shared.clone(),
            acceptor,
            stopped,
        ));
        Ok(Simulator {
            local_addr,
            scheme,
            certificate_pem,
            seed,
            stop: Some(stop),
            task,
            shared,
        })
    }

    /// The calls received so far, oldest first (the latest 10,000), as `GET /_simulator/calls`
    /// lists them: what reached the bank, for a test to check.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.shared.calls_seen.matching(&CallFilter::new())
    }

    /// The calls `filter` matches, oldest first, as `GET /_simulator/calls?operation=…` lists them.
    pub fn calls_where(&self, filter: &CallFilter) -> Vec<CallRecord> {
        self.shared.calls_seen.matching(filter)
    }

    /// How many calls `filter` matches, as `GET /_simulator/calls/count?…` says.
    pub fn count_calls(&self, filter: &CallFilter) -> usize {
        self.shared.calls_seen.count(filter)
    }

    /// Plays `rules` from now on, before the scenario's (and before rules added earlier): a rule
    /// with `times = N` steps aside after N calls. Their `[bank]` table, if any, is ignored: the
    /// bank's behaviour is set at start. Returns the set's id, for [`remove_rules`](Self::remove_rules).
    pub fn add_rules(&self, rules: Scenario) -> u64 {
        self.shared.add_rules(rules, String::new())
    }

    /// The sets of rules added while it runs, oldest first.
    pub fn rules(&self) -> Vec<AddedRules> {
        self.shared.rules()
    }

    /// Removes the set of rules added with `id`; whether there was one.
    pub fn remove_rules(&self, id: u64) -> bool {
        self.shared.remove_rules(Some(id)) > 0
    }

    /// Removes every rule added while it runs (the scenario's stay).
    pub fn clear_rules(&self) {
        self.shared.remove_rules(None);
    }

    /// Empties the wallets, the call list and the metrics, as `POST /_simulator/reset` does.
    pub fn reset(&self) -> Result<(), StoreError> {
        self.shared.reset(None, None).map(|_| ())
    }

    /// Removes one merchant's wallets (every merchant's when `merchant` is `None`), or just one
    /// wallet, and their calls from the call list, as `POST /_simulator/reset?merchant=…&wallet=…`
    /// does: the wallets removed.
    pub fn reset_where(
        &self,
        merchant: Option<&str>,
        wallet: Option<&str>,
    ) -> Result<usize, StoreError> {
        self.shared.reset(merchant, wallet)
    }

    /// The seed its random choices are drawn from (given, or drawn at start): a run started with
    /// `SimulatorConfig::seed` of it replays the same outcomes for the same requests.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Its base URL, for [`WalletClientBuilder::base_url`](crate::WalletClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// With HTTPS, the certificate (PEM) a client must trust
    /// ([`WalletClientBuilder::add_root_certificate`](crate::WalletClientBuilder::add_root_certificate)).
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Serves until [`Simulator::shutdown`] or an abort (it does not end by itself).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }

    /// Stops accepting connections, lets the calls in flight finish (each answered, then its
    /// connection closed) for at most `grace`, and stops. True when every call finished in time.
    pub async fn shutdown(mut self, grace: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(grace);
        }
        (&mut self.task).await.unwrap_or(false)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The accept loop; returns whether every connection finished within the grace period.
async fn accept_connections(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: oneshot::Receiver<Duration>,
) -> bool {
    let config = &shared.config;
    let per_client = config
        .max_connections_per_client
        .unwrap_or(config.max_connections);
    let connections = Connections::new(config.max_connections, per_client);
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let grace = loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            grace = &mut stopped => break grace.unwrap_or(Duration::ZERO),
        };
        let (stream, peer) = match accepted {
            Ok((stream, peer)) => (stream, peer),
            Err(error) => {
                // Out of file descriptors or the like: wait a little rather than spin.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let ticket = match connections.admit(peer.ip()) {
            Ok(ticket) => ticket,
            Err(full) => {
                tokio::spawn(refuse(stream, full));
                continue;
            }
        };
        let (service_shared, timeout) = (shared.clone(), config.request_timeout);
        let body_deadline = config.header_read_timeout;
        let (id, busy) = (ticket.id(), ticket.busy.clone());
        let service = hyper::service::service_fn(move |request| {
            let (shared, busy) = (service_shared.clone(), busy.clone());
            async move {
                let request = match receive(request, body_deadline).await {
                    Ok(request) => request,
                    Err(Unreceived::TooLarge) => return Ok(too_large()),
                    Err(Unreceived::Slow) => {
                        return Err(Dropped("the request body came too slowly"))
                    }
                    Err(Unreceived::Cut) => return Err(Dropped("the request body was cut")),
                };
                // Serving from here: until its body is whole, a request is unfinished, and its
                // connection may be closed to admit another, as an idle one may.
                let serving = Serving::start(&busy);
                let answer = tokio::time::timeout(timeout, handle(shared, request))
                    .await
                    .unwrap_or(Err(Dropped("request timeout")));
                drop(serving);
                answer
            }
        });
        let Some(acceptor) = &tls else {
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            let task = tokio::spawn(async move {
                let _ = connection.await;
                drop(ticket);
            });
            connections.started(id, task.abort_handle());
            continue;
        };
        // HTTPS: the handshake in the connection's own task (a slow client must not stall the
        // accept loop), bounded like a request's headers; then HTTP/1.1 or HTTP/2 as ALPN chose.
        let (acceptor, watcher) = (acceptor.clone(), graceful.watcher());
        let handshake_timeout = config.header_read_timeout;
        let mut auto = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        auto.http1()
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_read_timeout);
        let task = tokio::spawn(async move {
            if let Ok(Ok(stream)) =
                tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await
            {
                let connection = auto
                    .serve_connection(TokioIo::new(stream), service)
                    .into_owned();
                let _ = watcher.watch(connection).await;
            }
            drop(ticket);
        });
        connections.started(id, task.abort_handle());
    };
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => true,
        _ = tokio::time::sleep(grace) => false,
    }
}

/// Why a request's body was not received.
enum Unreceived {
    /// Over [`MAX_REQUEST_BYTES`]: answered 413.
    TooLarge,
    /// Not whole within the deadline: the connection is closed, as for slow headers.
    Slow,
    /// The connection failed before the body was whole.
    Cut,
}

/// A request with its body read whole, within `deadline` of its headers and [`MAX_REQUEST_BYTES`]:
/// a body trickled in byte by byte counts like headers sent slowly.
async fn receive(
    request: Request<Incoming>,
    deadline: Duration,
) -> Result<Request<Bytes>, Unreceived> {
    let (parts, body) = request.into_parts();
    let collected = tokio::time::timeout(deadline, Limited::new(body, MAX_REQUEST_BYTES).collect())
        .await
        .map_err(|_| Unreceived::Slow)?;
    match collected {
        Ok(body) => Ok(Request::from_parts(parts, body.to_bytes())),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Unreceived::TooLarge),
        Err(_) => Err(Unreceived::Cut),
    }
}

/// Beyond the cap, every place serving a request: a clear 503, then the connection is closed.
async fn refuse(mut stream: TcpStream, full: Full) {
    let body = match full {
        Full::Everyone(max) => {
            tracing::warn!(max, "connection refused: every place serves a request");
            format!("the simulator serves at most {max} connections at once; retry later\n")
        }
        Full::ThisClient(max) => {
            tracing::warn!(max, "connection refused: this client holds its limit");
            format!(
                "the simulator serves at most {max} connections per client at once; retry later\n"
            )
        }
    };
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
