//! A raw HTTP/1.1 server on loopback for tests: counts connections, answers what each test says,
//! including the ways a real server can misbehave.
#![allow(dead_code)]

pub mod binary;
pub mod xmllint;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use sips_wallet::contract::{self, operations};
use sips_wallet::message::Message;
use sips_wallet::{envelope, seal, SecretKey};

pub const MERCHANT: &str = "011223344550000";
pub const KEY: &str = "test-only-secret-key";

/// What the server does with a request.
#[derive(Clone)]
pub enum Action {
    /// Status and body, then keep the connection open for the next request.
    Respond(u16, String),
    /// The same with a body of any bytes (another encoding than UTF-8).
    RespondBytes(u16, Vec<u8>),
    /// Read the request and never answer.
    Hang,
    /// Headers, then body bytes forever.
    Endless,
    /// Headers announcing more than is sent, then close.
    CloseMidBody,
}

pub struct TestServer {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<AtomicUsize>,
    /// The head (request line and headers, lower-cased) of every request received.
    pub heads: Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Handler = Arc<dyn Fn(&str) -> Action + Send + Sync>;
type Acceptor = Option<tokio_rustls::TlsAcceptor>;

impl TestServer {
    pub async fn start(handler: impl Fn(&str) -> Action + Send + Sync + 'static) -> TestServer {
        Self::start_with(handler, None, "http").await
    }

    pub async fn start_tls(
        handler: impl Fn(&str) -> Action + Send + Sync + 'static,
        acceptor: tokio_rustls::TlsAcceptor,
    ) -> TestServer {
        Self::start_with(handler, Some(acceptor), "https").await
    }

    async fn start_with(
        handler: impl Fn(&str) -> Action + Send + Sync + 'static,
        tls: Acceptor,
        scheme: &str,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let host = if tls.is_some() {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let (c, r, h) = (connections.clone(), requests.clone(), heads.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let (handler, r, h, tls) = (handler.clone(), r.clone(), h.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, handler, r, h).await;
                            }
                        }
                        None => serve(stream, handler, r, h).await,
                    }
                });
            }
        });
        TestServer {
            url: format!("{scheme}://{host}:{port}"),
            connections,
            requests,
            heads,
            task,
        }
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: Handler,
    requests: Arc<AtomicUsize>,
    heads: Arc<std::sync::Mutex<Vec<String>>>,
) {
    let mut buffer = Vec::new();
    loop {
        // Headers.
        let header_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        while buffer.len() < header_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buffer[header_end..header_end + length]).to_string();
        buffer.drain(..header_end + length);
        requests.fetch_add(1, Ordering::SeqCst);
        heads.lock().unwrap().push(head.clone());
        match handler(&body) {
            Action::Respond(status, body) => {
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml; charset=utf-8\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
            Action::RespondBytes(status, body) => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            Action::Hang => {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                return;
            }
            Action::Endless => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n").await;
                let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
                return;
            }
            Action::CloseMidBody => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 1000\r\n\r\n<soap:Envelope").await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

/// The SOAP answer of `O` holding `response`, sealed with `key` (or unsealed).
pub fn sealed_answer<O: sips_wallet::message::Operation>(
    mut response: O::Response,
    key: Option<&str>,
) -> String {
    if let Some(key) = key {
        let key = SecretKey::new(key).unwrap();
        let sealed = seal::compute(seal::Algorithm::HmacSha256, &key, &response.seal_data());
        response.set_text("seal", &sealed).unwrap();
    }
    envelope::write_response::<O>(&response).unwrap()
}

/// A sealed signOff response, as the bank would send it (or sealed with another key).
pub fn sign_off_response(code: &str, key: Option<&str>) -> String {
    let response = contract::SignOffOutput::new()
        .wallet_response_code(code)
        .wallet_action_date_time("2026-11-23T10:00:00+01:00");
    sealed_answer::<operations::SignOff>(response, key)
}

/// A sealed getWalletData response holding no payment mean.
pub fn wallet_data_response(code: &str, key: Option<&str>) -> String {
    let response = contract::GetWalletDataOutput::new().wallet_response_code(code);
    sealed_answer::<operations::GetWalletData>(response, key)
}

/// A client builder for a test server, as merchant `MERCHANT` with key `KEY`.
pub fn builder(url: &str) -> sips_wallet::WalletClientBuilder {
    sips_wallet::WalletClient::builder()
        .base_url(url)
        .merchant_id(MERCHANT)
        .key_version("1")
        .secret_key(SecretKey::new(KEY).unwrap())
}

/// A simulator with the default settings on a loopback port the system picks, and a client of it
/// as its built-in demo merchant.
pub async fn demo_simulator() -> (sips_wallet::simulator::Simulator, sips_wallet::WalletClient) {
    let simulator = simulator(sips_wallet::simulator::SimulatorConfig::default()).await;
    let client = demo_client(&simulator);
    (simulator, client)
}

/// A simulator with `config` on a loopback port the system picks (no race for ports between
/// tests): the one way the tests start one.
pub async fn simulator(
    config: sips_wallet::simulator::SimulatorConfig,
) -> sips_wallet::simulator::Simulator {
    sips_wallet::simulator::Simulator::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

/// A client of `simulator` as merchant `merchant` with this key version and key; calls time out
/// after 5 s.
pub fn merchant_client(
    simulator: &sips_wallet::simulator::Simulator,
    merchant: &str,
    version: &str,
    key: &str,
) -> sips_wallet::WalletClient {
    sips_wallet::WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(merchant)
        .key_version(version)
        .secret_key(SecretKey::new(key).unwrap())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

/// An addCard of `card` to `wallet`, expiring in December 2030.
pub fn add_card(wallet: &str, card: &str) -> sips_wallet::contract::AddCardRequest {
    sips_wallet::contract::AddCardRequest::new()
        .merchant_wallet_id(wallet)
        .card_number(card)
        .card_expiry_date("203012")
}

/// A reply's code and verification (the call must have succeeded).
pub async fn code_of(
    result: Result<sips_wallet::Reply<impl std::fmt::Debug>, sips_wallet::Error>,
) -> (String, sips_wallet::Verification) {
    let reply = result.unwrap();
    (reply.code.unwrap_or_default(), reply.verification)
}

/// A client of `simulator` as its built-in demo merchant.
pub fn demo_client(simulator: &sips_wallet::simulator::Simulator) -> sips_wallet::WalletClient {
    demo_builder(simulator).build().unwrap()
}

/// A client builder for `simulator`, as its built-in demo merchant.
pub fn demo_builder(
    simulator: &sips_wallet::simulator::Simulator,
) -> sips_wallet::WalletClientBuilder {
    use sips_wallet::simulator::{DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};
    sips_wallet::WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).unwrap())
}

/// One raw HTTP/1.1 request on a fresh connection (no SOAPAction, as some clients send), `Host`
/// naming the address it goes to: status and body.
pub async fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, String) {
    let host = addr.to_string();
    raw_request_with(
        addr,
        method,
        path,
        &[("host", host.as_str()), ("content-type", content_type)],
        body,
    )
    .await
}

/// The same with the headers given (`Host` among them, or not).
pub async fn raw_request_with(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl AsRef<[u8]>,
) -> (u16, String) {
    let body = body.as_ref();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A loopback port where nothing listens, held for as long as the returned socket lives: bound
/// but never listening, so a connection there is refused and no other test can take the port.
pub fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("bound");
    let port = socket.local_addr().expect("its address").port();
    (socket, port)
}

/// Call options that retry a read up to three attempts in all, a millisecond or two apart.
pub fn quick_retries() -> sips_wallet::CallOptions {
    sips_wallet::CallOptions::new().retry(sips_wallet::RetryPolicy::new().max_attempts(3).backoff(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(2),
    ))
}

/// A runtime with two worker threads, for a test that installs a process-wide subscriber first
/// and then drives the client and the simulator on several threads.
pub fn two_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// An empty folder of this test process's own, `sips-{name}-{pid}` under the system's temporary
/// folder: whatever an earlier process of the same id left there is removed first.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sips-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}
