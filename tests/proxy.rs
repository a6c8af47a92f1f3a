//! The client behind an outbound proxy: a real CONNECT proxy on loopback, started by the test, in
//! front of a TLS test server. TLS runs inside the tunnel, end to end.

mod common;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use common::{builder, sign_off_response, Action, TestServer, KEY};
use sips_wallet::contract::SignOffRequest;
use sips_wallet::{Delivery, Verification};

/// A CONNECT proxy: records each request head; with `credentials`, refuses others with 407.
struct ConnectProxy {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectProxy {
    async fn start(credentials: Option<&'static str>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let _ = tunnel(client, seen, credentials).await;
                });
            }
        });
        ConnectProxy { url, heads, task }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

async fn tunnel(
    mut client: TcpStream,
    seen: Arc<Mutex<Vec<String>>>,
    credentials: Option<&str>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    seen.lock().unwrap().push(head.clone());
    let Some(target) = head
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split_whitespace().next())
    else {
        client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    if let Some(credentials) = credentials {
        use base64::Engine;
        let expected = format!(
            "proxy-authorization: basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
        .to_lowercase();
        if !head.to_lowercase().contains(&expected) {
            client
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
                )
                .await?;
            return Ok(());
        }
    }
    let mut upstream = TcpStream::connect(target.replace("localhost", "127.0.0.1")).await?;
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// A TLS server answering every signOff with a sealed 25, and a DER certificate to trust it.
async fn tls_server() -> (TestServer, Vec<u8>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_der = certified.cert.der().to_vec();
    let key_der =
        rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert_der.clone().into()], key_der)
    .unwrap();
    let server = TestServer::start_tls(
        |_| Action::Respond(200, sign_off_response("25", Some(KEY))),
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    )
    .await;
    (server, cert_der)
}

fn sign_off() -> SignOffRequest {
    SignOffRequest::new().merchant_wallet_id("W1")
}

#[tokio::test]
async fn proxies_from_the_builder_and_the_environment() {
    let (server, cert) = tls_server().await;
    let port = server.url.rsplit(':').next().unwrap().to_string();

    // An explicit proxy with credentials: HTTPS through a CONNECT tunnel, TLS end to end.
    let proxy = ConnectProxy::start(Some("shop:s3cret-pass")).await;
    let url = proxy.url.replace("http://", "http://shop:s3cret-pass@");
    let client = builder(&server.url)
        .add_root_certificate(cert.clone())
        .proxy(url)
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("s3cret"));
    let reply = client.sign_off(sign_off()).await.unwrap();
    assert_eq!(
        (reply.code.as_deref(), reply.verification),
        (Some("25"), Verification::Verified)
    );
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "one tunnel, reused: {heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1")));
    assert!(!heads[0].contains("signOff"), "the proxy sees no message");

    // Wrong credentials: refused by the proxy, nothing sent, no password in the error.
    let wrong = builder(&server.url)
        .add_root_certificate(cert.clone())
        .proxy(proxy.url.replace("http://", "http://shop:wrong-pass@"))
        .build()
        .unwrap();
    let error = wrong.sign_off(sign_off()).await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(error.delivery(), Delivery::NotSent);
    let shown = format!("{} {error:?}", error.chain());
    assert!(!shown.contains("wrong-pass"), "{shown}");

    // The environment, as curl reads it; NO_PROXY exempts a host; no_proxy() ignores it all.
    let from_env = ConnectProxy::start(None).await;
    std::env::set_var("HTTPS_PROXY", &from_env.url);
    let via_env = builder(&server.url)
        .add_root_certificate(cert.clone())
        .build()
        .unwrap();
    std::env::set_var("NO_PROXY", "localhost");
    let exempt = builder(&server.url)
        .add_root_certificate(cert.clone())
        .build()
        .unwrap();
    std::env::remove_var("NO_PROXY");
    let ignoring = builder(&server.url)
        .add_root_certificate(cert)
        .no_proxy()
        .build()
        .unwrap();
    std::env::remove_var("HTTPS_PROXY");
    assert!(via_env.sign_off(sign_off()).await.is_ok());
    assert_eq!(from_env.heads().len(), 1);
    assert!(exempt.sign_off(sign_off()).await.is_ok());
    assert!(ignoring.sign_off(sign_off()).await.is_ok());
    assert_eq!(
        from_env.heads().len(),
        1,
        "NO_PROXY and no_proxy() bypass it"
    );
}

#[test]
fn a_proxy_url_that_cannot_work_is_refused_at_build() {
    let error = builder("https://office-server.sogenactif.com")
        .proxy("socks5://127.0.0.1:1080")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("http://"), "{error}");
}

#[tokio::test]
async fn the_simulator_through_a_proxy() {
    use sips_wallet::simulator::{
        SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
    };
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let proxy = ConnectProxy::start(None).await;
    let client = sips_wallet::WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(sips_wallet::SecretKey::new(DEMO_SECRET_KEY).unwrap())
        .proxy(&proxy.url)
        .build()
        .unwrap();
    let reply = client.sign_off(sign_off()).await.unwrap();
    assert_eq!(
        (reply.code.as_deref(), reply.verification),
        (Some("25"), Verification::Verified)
    );
    let port = simulator.local_addr().port();
    assert!(proxy.heads()[0].starts_with(&format!("CONNECT 127.0.0.1:{port} HTTP/1.1")));
}
