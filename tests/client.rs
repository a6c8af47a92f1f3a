//! The client on the wire: against the simulator and against test servers that misbehave, over real
//! HTTP and real TLS on loopback.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::{builder, sign_off_response, Action, TestServer, KEY};
use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest, SignOffRequest};
use sips_wallet::{CallOptions, Delivery, Error, RetryPolicy, Verification, WalletClient};

fn client(url: &str) -> WalletClient {
    builder(url).build().unwrap()
}

fn sign_off() -> SignOffRequest {
    SignOffRequest::new().merchant_wallet_id("W1")
}

#[test]
fn client_is_clone_send_sync() {
    fn assert<T: Clone + Send + Sync + 'static>() {}
    assert::<WalletClient>();
}

#[tokio::test]
async fn a_sealed_response_is_verified_and_the_exchange_kept() {
    let server = TestServer::start(|body| {
        assert!(body.contains("<urn:merchantWalletId>W1</urn:merchantWalletId>"));
        Action::Respond(200, sign_off_response("00", Some(KEY)))
    })
    .await;
    let reply = client(&server.url).sign_off(sign_off()).await.unwrap();
    assert!(reply.is_success());
    assert_eq!(reply.verification, Verification::Verified);
    assert_eq!(reply.code_meaning, Some("Successful operation."));
    assert_eq!(reply.exchange.status, 200);
    assert!(reply.exchange.request().contains("<urn:signOff"));
    assert!(reply.exchange.response().contains("signOffResponse"));
    assert_eq!(
        reply.response.wallet_action_date_time.as_deref(),
        Some("2026-11-23T10:00:00+01:00")
    );
}

#[tokio::test]
async fn a_wrong_seal_is_an_error_never_a_success() {
    let server =
        TestServer::start(|_| Action::Respond(200, sign_off_response("00", Some("another key"))))
            .await;
    let error = client(&server.url).sign_off(sign_off()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::SealMismatch {
                operation: "signOff",
                ..
            }
        ),
        "{error}"
    );
    // The exchange travels with the error, for a support ticket.
    assert_eq!(error.delivery(), Delivery::Answered);
    assert_eq!(error.status(), Some(200));
    let exchange = error.exchange().unwrap();
    assert!(exchange.request().contains("<urn:signOff"));
    assert!(exchange.response().contains("<urn:walletResponseCode>00<"));
}

#[tokio::test]
async fn an_unsealed_success_is_refused_unless_allowed() {
    let server = TestServer::start(|_| Action::Respond(200, sign_off_response("00", None))).await;
    let error = client(&server.url).sign_off(sign_off()).await.unwrap_err();
    assert!(matches!(error, Error::MissingSeal { .. }), "{error}");
    let lenient = builder(&server.url)
        .accept_unsealed_success(true)
        .build()
        .unwrap();
    let reply = lenient.sign_off(sign_off()).await.unwrap();
    assert_eq!(reply.verification, Verification::Unsealed);
}

#[tokio::test]
async fn an_unsealed_error_response_is_data_marked_unverified() {
    let server = TestServer::start(|_| Action::Respond(200, sign_off_response("03", None))).await;
    let reply = client(&server.url).sign_off(sign_off()).await.unwrap();
    assert_eq!(reply.code.as_deref(), Some("03"));
    assert_eq!(reply.verification, Verification::Unsealed);
    assert!(!reply.is_success());
}

#[tokio::test]
async fn a_soap_fault_is_a_typed_error() {
    let fault = sips_wallet::envelope::write_fault("soap:Server", "Internal error");
    let server = TestServer::start(move |_| Action::Respond(500, fault.clone())).await;
    match client(&server.url).sign_off(sign_off()).await.unwrap_err() {
        Error::Fault { fault, .. } => assert_eq!(
            (fault.code.as_str(), fault.string.as_str()),
            ("soap:Server", "Internal error")
        ),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn an_html_503_gives_its_status_and_masked_start() {
    let server = TestServer::start(|_| {
        Action::Respond(
            503,
            "<html><body>Service Unavailable for card 4111111111111111</body></html>".into(),
        )
    })
    .await;
    match client(&server.url).sign_off(sign_off()).await.unwrap_err() {
        Error::Http {
            status, body_start, ..
        } => {
            assert_eq!(status, 503);
            assert!(body_start.contains("Service Unavailable"));
            assert!(!body_start.contains("4111111111111111"), "{body_start}");
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = TestServer::start(|_| Action::Hang).await;
    let client = builder(&server.url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.sign_off(sign_off()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error}");
    assert!(error.is_timeout());
    assert_eq!(error.delivery(), Delivery::Unknown);
}

#[tokio::test]
async fn an_endless_body_hits_the_size_cap() {
    let server = TestServer::start(|_| Action::Endless).await;
    let client = builder(&server.url)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let error = client.sign_off(sign_off()).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 65536 }),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_closing_mid_body_is_a_transport_error() {
    let server = TestServer::start(|_| Action::CloseMidBody).await;
    let error = client(&server.url).sign_off(sign_off()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert_eq!(error.delivery(), Delivery::Unknown);
    assert!(
        std::error::Error::source(&error).is_some(),
        "the cause is kept"
    );
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let server =
        TestServer::start(|_| Action::Respond(200, sign_off_response("00", Some(KEY)))).await;
    let client = client(&server.url);
    for _ in 0..20 {
        client.sign_off(sign_off()).await.unwrap();
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 20);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_calls_on_one_client() {
    let (_simulator, client) = common::demo_simulator().await;
    let calls = (0..64).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .add_card(
                    AddCardRequest::new()
                        .merchant_wallet_id(format!("C{i}"))
                        .card_number("4111111111111111")
                        .card_expiry_date("202812"),
                )
                .await
        })
    });
    for call in calls {
        let reply = call.await.unwrap().unwrap();
        assert_eq!(reply.code.as_deref(), Some("00"));
        assert_eq!(reply.verification, Verification::Verified);
    }
}

#[tokio::test]
async fn tls_with_a_trusted_test_authority() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_der = certified.cert.der().to_vec();
    let key_der =
        rustls_pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der()).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert_der.clone().into()], key_der)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let server = TestServer::start_tls(
        |_| Action::Respond(200, sign_off_response("00", Some(KEY))),
        acceptor,
    )
    .await;
    assert!(server.url.starts_with("https://localhost:"));

    let trusted = builder(&server.url)
        .add_root_certificate(cert_der)
        .build()
        .unwrap();
    let reply = trusted.sign_off(sign_off()).await.unwrap();
    assert_eq!(reply.verification, Verification::Verified);

    // The same authority as PEM, as most tools hand it out.
    let pem = certified.cert.pem();
    let trusted_pem = builder(&server.url)
        .add_root_certificate(pem.as_bytes())
        .build()
        .unwrap();
    assert!(trusted_pem.sign_off(sign_off()).await.is_ok());
    let no_certificate = builder(&server.url)
        .add_root_certificate(
            &b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"[..],
        )
        .build()
        .unwrap_err();
    assert!(
        no_certificate.to_string().contains("no CERTIFICATE block"),
        "{no_certificate}"
    );

    // The same server, not trusted: the handshake fails, and the error says how to trust it.
    let error = client(&server.url).sign_off(sign_off()).await.unwrap_err();
    assert!(matches!(error, Error::Certificate { .. }), "{error:?}");
    assert_eq!(error.delivery(), sips_wallet::Delivery::NotSent);
    assert!(error.to_string().contains("root_certificate"), "{error}");
}

#[test]
fn plain_http_only_to_loopback() {
    let error = builder("http://example.com").build().unwrap_err();
    assert!(error.to_string().contains("loopback"), "{error}");
    builder("http://127.0.0.1:9").build().unwrap();
    builder("http://[::1]:9").build().unwrap();
    builder("https://office-server.sogenactif.com")
        .build()
        .unwrap();
    assert!(matches!(
        builder("ftp://x").build().unwrap_err(),
        Error::Config(_)
    ));
}

/// A base URL that could only fail later, or would show a password, is refused when the client is
/// built: a port past 65535 or 0, a user and password (never echoed).
#[test]
fn a_base_url_with_no_usable_port_or_with_credentials_is_refused_at_build() {
    for url in [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "https://[::1]:65536",
    ] {
        let error = builder(url).build().unwrap_err();
        assert!(error.to_string().contains("1 to 65535"), "{url}: {error}");
    }
    builder("https://[::1]:65535").build().unwrap();
    let error = builder("https://merchant:hunter2@office-server.sogenactif.com")
        .build()
        .unwrap_err();
    let shown = error.to_string();
    assert!(shown.contains("user or password"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error_safe_to_retry() {
    // Nothing listens there.
    let (_held, port) = common::closed_port();
    let error = client(&format!("http://127.0.0.1:{port}"))
        .sign_off(sign_off())
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(error.exchange().is_none() && error.status().is_none());
    let chain = error.chain();
    assert!(chain.contains(&format!("127.0.0.1:{port}")), "{chain}");
    assert!(chain.to_lowercase().contains("refused"), "{chain}");
}

#[tokio::test]
async fn user_agent_and_extra_headers_are_sent_and_protocol_headers_cannot_be_replaced() {
    let server =
        TestServer::start(|_| Action::Respond(200, sign_off_response("25", Some(KEY)))).await;
    let client = builder(&server.url)
        .header("x-shop", "north")
        .build()
        .unwrap();
    client
        .with_options(CallOptions::new().header("X-Correlation-Id", "order-4711"))
        .sign_off(sign_off())
        .await
        .unwrap();
    let head = server.heads.lock().unwrap()[0].clone();
    assert!(
        head.contains(&format!(
            "user-agent: sips-wallet/{}",
            env!("CARGO_PKG_VERSION")
        )),
        "{head}"
    );
    assert!(head.contains("x-shop: north"), "{head}");
    assert!(head.contains("x-correlation-id: order-4711"), "{head}");

    let error = client
        .with_options(CallOptions::new().header("SOAPAction", "\"other\""))
        .sign_off(sign_off())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error}");
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 1);

    // A header HTTP cannot carry: refused naming it, never showing its value (it may be a token),
    // on the builder when it is built, on a call before anything is sent.
    let secret = "Bearer s3cret\r\nx-injected: 1";
    let built = builder(&server.url)
        .header("Authorization", secret)
        .build()
        .map(|_| ())
        .unwrap_err();
    let per_call = client
        .with_options(CallOptions::new().header("Authorization", secret))
        .sign_off(sign_off())
        .await
        .unwrap_err();
    for error in [built, per_call] {
        let text = error.chain();
        assert!(matches!(error, Error::Config(_)), "{text}");
        assert!(
            text.contains("Authorization") && !text.contains("s3cret"),
            "{text}"
        );
    }
    // A card number misused as a header's name is masked in the error like any text from outside.
    let misused = builder(&server.url)
        .header("4111111111111111", "bad\nvalue")
        .build()
        .map(|_| ())
        .unwrap_err()
        .chain();
    assert!(!misused.contains("4111111111111111"), "{misused}");
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_clients() {
    let server = TestServer::start(|_| Action::Hang).await;
    let client = builder(&server.url)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .with_options(CallOptions::new().timeout(Duration::from_millis(200)))
        .sign_off(sign_off())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout(t) if t == Duration::from_millis(200)),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn reads_are_retried_on_a_lost_connection_changes_never() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The first two requests lose their connection mid-answer, the rest are answered.
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let server = TestServer::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) < 2 {
            Action::CloseMidBody
        } else {
            Action::Respond(200, common::wallet_data_response("25", Some(KEY)))
        }
    })
    .await;
    let policy = RetryPolicy::new()
        .max_attempts(3)
        .backoff(Duration::from_millis(10), Duration::from_millis(50));
    let client = builder(&server.url)
        .call_options(CallOptions::new().retry(policy))
        .build()
        .unwrap();
    let reply = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await
        .unwrap();
    assert_eq!(reply.code.as_deref(), Some("25"));
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);

    // A change is sent once, whatever the policy.
    seen.store(0, Ordering::SeqCst);
    let error = client.sign_off(sign_off()).await.unwrap_err();
    assert_eq!(error.delivery(), Delivery::Unknown);
    assert_eq!(server.requests.load(Ordering::SeqCst), 4);

    // Every attempt failing: the error says how many were made, and answers for the last.
    seen.store(0, Ordering::SeqCst);
    let two = builder(&server.url)
        .call_options(CallOptions::new().retry(policy.max_attempts(2)))
        .build()
        .unwrap();
    let error = two
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Retried { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().ends_with("(gave up after 2 attempts)"),
        "{error}"
    );
    assert_eq!(error.delivery(), Delivery::Unknown);
    assert_eq!(server.requests.load(Ordering::SeqCst), 6);

    // Without a policy, a read is sent once too.
    seen.store(0, Ordering::SeqCst);
    let plain = builder(&server.url).build().unwrap();
    assert!(plain
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await
        .is_err());
    assert_eq!(server.requests.load(Ordering::SeqCst), 7);
}

#[tokio::test]
async fn an_interface_version_chosen_per_operation_is_sent_and_a_malformed_one_refused() {
    use sips_wallet::contract::{operations, UpdatePaymentMeanRequest};
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = bodies.clone();
    let server = TestServer::start(move |request| {
        seen.lock().unwrap().push(request.to_string());
        Action::Respond(200, sign_off_response("00", Some(KEY)))
    })
    .await;
    let client = builder(&server.url)
        .interface_version::<operations::SignOff>("WR_WS_2.58")
        .build()
        .unwrap();
    client.sign_off(sign_off()).await.unwrap();
    // A request that sets its own keeps it; another operation keeps its recommended one.
    client
        .sign_off(sign_off().interface_version("WR_WS_2.40"))
        .await
        .unwrap();
    let prepared = client
        .prepare::<operations::UpdatePaymentMean>(
            &mut UpdatePaymentMeanRequest::new()
                .merchant_wallet_id("W")
                .payment_mean_id("1"),
        )
        .unwrap();
    assert!(prepared.body.contains(">WR_WS_2.49<"), "{}", prepared.body);
    let bodies = bodies.lock().unwrap();
    assert!(bodies[0].contains(">WR_WS_2.58<"), "{}", bodies[0]);
    assert!(bodies[1].contains(">WR_WS_2.40<"), "{}", bodies[1]);

    for wrong in ["2.58", "IR_MB_2.55", "WR_WS_latest"] {
        let error = builder(&server.url)
            .interface_version::<operations::SignOff>(wrong)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{wrong}: {error:?}");
        assert!(error.to_string().contains("WR_WS_2.NN"), "{error}");
    }
}
