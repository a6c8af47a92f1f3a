//! The simulator's listener (mirrors `simulator::http`): connection limits and timeouts, a graceful
//! stop, wire faults as the client sees them, HTTPS over HTTP/2 and HTTP/1.1, and the admin API.

mod common;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use sips_wallet::contract::{GetWalletDataRequest, SignOffRequest};
use sips_wallet::simulator::{Scenario, SimulatorConfig};
use sips_wallet::{Error, SecretKey, Verification, WalletClient};

use common::add_card;

/// Reads until the peer closes; how long that took.
async fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_after_the_header_timeout() {
    let simulator = common::simulator(
        SimulatorConfig::default().header_read_timeout(Duration::from_millis(500)),
    )
    .await;
    // Connects and never sends a byte.
    let mut silent = TcpStream::connect(simulator.local_addr()).await.unwrap();
    let closed = time_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "a silent connection stayed open");

    // One request on a keep-alive connection, then idle.
    let mut idle = TcpStream::connect(simulator.local_addr()).await.unwrap();
    idle.write_all(b"GET /services/v2/wallet?wsdl HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let closed = time_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "an idle keep-alive connection stayed open"
    );
}

/// Idle sockets cannot lock clients out: 64 connections that send nothing, against a cap of 64,
/// leave a new client served within a second (the oldest idle one is closed for it).
#[tokio::test]
async fn idle_connections_at_the_cap_do_not_lock_a_new_client_out() {
    let simulator = common::simulator(SimulatorConfig::default().max_connections(64)).await;
    let mut idle = Vec::new();
    for _ in 0..64 {
        idle.push(TcpStream::connect(simulator.local_addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = common::demo_client(&simulator);
    let reply = tokio::time::timeout(
        Duration::from_secs(1),
        client.sign_off(SignOffRequest::new().merchant_wallet_id("NEW")),
    )
    .await
    .expect("served within a second")
    .unwrap();
    assert_eq!(reply.code.as_deref(), Some("25"));
}

/// When every place serves a request, a new connection gets a clear 503; and a client holding its
/// per-address limit of busy connections gets one too.
#[tokio::test]
async fn beyond_the_cap_of_busy_connections_a_clear_503() {
    for config in [
        SimulatorConfig::default().max_connections(2),
        SimulatorConfig::default().max_connections_per_client(2),
    ] {
        let simulator = common::simulator(config.latency(Duration::from_millis(1500))).await;
        let client = common::demo_client(&simulator);
        let busy: Vec<_> = (0..2)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .sign_off(SignOffRequest::new().merchant_wallet_id(format!("BUSY-{i}")))
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut third = TcpStream::connect(simulator.local_addr()).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), third.read_to_string(&mut answer))
            .await
            .unwrap()
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("at most 2 connections"), "{answer}");
        for call in busy {
            assert_eq!(call.await.unwrap().unwrap().code.as_deref(), Some("25"));
        }
    }
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_calls_in_flight_then_refuses_new_ones() {
    let simulator =
        common::simulator(SimulatorConfig::default().latency(Duration::from_millis(400))).await;
    let addr = simulator.local_addr();
    let demo = common::demo_client(&simulator);
    let in_flight =
        tokio::spawn(async move { demo.add_card(add_card("LATE", "4111111111111111")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(simulator.shutdown(Duration::from_secs(5)).await);
    let reply = in_flight.await.unwrap().unwrap();
    assert_eq!(reply.code.as_deref(), Some("00"));
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

/// Every wire fault a rule can ask for, against the client: the error it reports, and whether the
/// bank acted (html-504 ran signOff, html-502 did not).
#[tokio::test]
async fn every_wire_fault_reaches_the_client_as_the_error_it_is() {
    use sips_wallet::CallOptions;
    let faults = [
        "truncated-body",
        "trickle",
        "slow-headers",
        "html-502",
        "html-504",
        "soap-fault",
        "unsealed-00",
        "wrong-seal",
        "invalid-xml",
    ];
    let rules: String = faults
        .iter()
        .map(|f| {
            format!("[[rule]]\noperation = \"signOff\"\nwallet = \"F-{f}\"\nfault = \"{f}\"\n")
        })
        .collect();
    let simulator = common::simulator(
        SimulatorConfig::default().scenario(Scenario::from_toml(&rules).unwrap()),
    )
    .await;
    let client = common::demo_client(&simulator);
    let quick = client.with_options(CallOptions::new().timeout(Duration::from_secs(1)));
    for fault in faults {
        let wallet = format!("F-{fault}");
        assert!(client
            .add_card(add_card(&wallet, "4111111111111111"))
            .await
            .unwrap()
            .is_success());
        let caller = if fault == "slow-headers" {
            &quick
        } else {
            &client
        };
        let outcome = caller
            .sign_off(SignOffRequest::new().merchant_wallet_id(wallet.as_str()))
            .await;
        let still_there = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet.as_str()))
            .await
            .unwrap()
            .is_success();
        match (fault, &outcome) {
            ("truncated-body", Err(Error::Transport { .. })) => assert!(!still_there),
            ("trickle", Ok(reply)) => {
                assert_eq!(reply.verification, Verification::Verified);
                assert!(!still_there);
            }
            ("slow-headers", Err(error)) if error.is_timeout() => {}
            ("html-502", Err(Error::Http { status: 502, .. })) => assert!(still_there),
            ("html-504", Err(Error::Http { status: 504, .. })) => assert!(!still_there),
            ("soap-fault", Err(Error::Fault { .. })) => assert!(still_there),
            ("unsealed-00", Err(Error::MissingSeal { .. })) => assert!(still_there),
            ("wrong-seal", Err(Error::SealMismatch { .. })) => assert!(!still_there),
            ("invalid-xml", Err(Error::Envelope { .. })) => assert!(still_there),
            _ => panic!("{fault}: unexpected outcome {outcome:?}"),
        }
    }
    let contradictory =
        Scenario::from_toml("[[rule]]\nwallet = \"W\"\nfault = \"trickle\"\nanswer = \"00\"\n");
    assert!(contradictory.unwrap_err().to_string().contains("`fault`"));
    let unknown = Scenario::from_toml("[[rule]]\nwallet = \"W\"\nfault = \"gremlins\"\n");
    assert!(unknown.is_err());
}

/// `tls(Tls::SelfSigned)`: HTTPS with a certificate made at start; a client trusting it calls
/// through, one that does not is refused at the handshake; HTTP/2 and HTTP/1.1 are both offered by
/// ALPN and served.
#[tokio::test]
async fn the_simulator_serves_https_over_http2_and_http11() {
    use sips_wallet::simulator::Tls;
    use std::sync::Arc;
    let simulator = common::simulator(SimulatorConfig::default().tls(Tls::SelfSigned)).await;
    assert!(simulator.base_url().starts_with("https://127.0.0.1:"));
    let pem = simulator.certificate_pem().unwrap().to_string();
    let trusted = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(sips_wallet::simulator::DEMO_MERCHANT_ID)
        .key_version(sips_wallet::simulator::DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY).unwrap())
        .add_root_certificate(pem.as_bytes())
        .build()
        .unwrap();
    let added = trusted
        .add_card(add_card("TLS", "4111111111111111"))
        .await
        .unwrap();
    assert_eq!(added.verification, Verification::Verified);
    let untrusted = common::demo_client(&simulator);
    let error = untrusted
        .sign_off(SignOffRequest::new().merchant_wallet_id("TLS"))
        .await
        .unwrap_err();
    assert!(error.is_connect(), "an unknown certificate: {error}");

    // Each protocol by ALPN, as a client offering only it would get it.
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    use rustls_pki_types::pem::PemObject;
    for certificate in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    for (alpn, expected) in [(&b"h2"[..], &b"h2"[..]), (b"http/1.1", b"http/1.1")] {
        let mut config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(simulator.local_addr()).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut stream = connector.connect(name, tcp).await.unwrap();
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(expected));
        if expected == b"http/1.1" {
            let request = format!(
                "GET /_simulator/health HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
                simulator.local_addr()
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap_or_default();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }
}

/// The admin API a test talks to: the calls received (masked), the clock fixed, a reset, health;
/// and none of it with `admin(false)`.
#[tokio::test]
async fn the_admin_api_lists_calls_fixes_the_clock_and_resets() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let client = common::demo_client(&simulator);
    let admin = |method: &'static str, path: &'static str, body: &'static str| async move {
        let (status, text) =
            common::raw_request(addr, method, path, "application/json", body).await;
        (
            status,
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default(),
        )
    };
    let wallet = "W-4111111111111111";
    assert!(client
        .add_card(add_card(wallet, "5555555555554444"))
        .await
        .unwrap()
        .is_success());

    let (status, calls) = admin("GET", "/_simulator/calls", "").await;
    assert_eq!(status, 200);
    let listed = calls.to_string();
    assert_eq!(calls[0]["operation"], "addCard", "{calls}");
    assert_eq!(calls[0]["code"], "00");
    assert_eq!(calls[0]["outcome"], "answered");
    assert_eq!(calls[0]["number"], 1);
    assert!(
        !listed.contains("4111111111111111") && !listed.contains("5555555555554444"),
        "{listed}"
    );
    assert!(listed.contains("W-4111##########11"), "{listed}");

    let (status, _) = admin(
        "POST",
        "/_simulator/clock",
        r#"{"now": "2030-01-02T09:00:00+01:00"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let at = client
        .add_card(add_card("CLOCK", "4111111111111111"))
        .await
        .unwrap();
    assert_eq!(
        at.response.wallet_action_date_time.as_deref(),
        Some("2030-01-02T09:00:00+01:00")
    );
    let (status, _) = admin("POST", "/_simulator/clock", r#"{"now": "tomorrow"}"#).await;
    assert_eq!(status, 400);
    admin("POST", "/_simulator/clock", r#"{"now": null}"#).await;

    let (status, _) = admin("POST", "/_simulator/reset", "").await;
    assert_eq!(status, 200);
    let (_, calls) = admin("GET", "/_simulator/calls", "").await;
    assert_eq!(
        calls,
        serde_json::json!([]),
        "the call list is empty after a reset"
    );
    let gone = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
        .await
        .unwrap();
    assert_eq!(
        gone.code.as_deref(),
        Some("25"),
        "the wallets are gone after a reset"
    );
    let (status, health) = admin("GET", "/_simulator/health", "").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let closed = common::simulator(SimulatorConfig::default().admin(false)).await;
    let (status, _) = common::raw_request(
        closed.local_addr(),
        "GET",
        "/_simulator/health",
        "text/plain",
        "",
    )
    .await;
    assert_eq!(status, 404, "no admin API when it is off");
}

/// A request written in `encoding` (ISO-8859-1 or windows-1252: one byte per character, `€` at
/// 0x80 in the latter), its XML declaration saying so.
fn transcoded(utf8: &str, encoding: &str) -> Vec<u8> {
    let declared = utf8.replacen(
        r#"encoding="UTF-8""#,
        &format!(r#"encoding="{encoding}""#),
        1,
    );
    assert_ne!(declared, utf8, "the envelope has a declaration");
    declared
        .chars()
        .map(|c| match c {
            '€' => 0x80,
            c => u8::try_from(u32::from(c)).expect("a one-byte character"),
        })
        .collect()
}

/// PHP shops send Latin-1: a request in ISO-8859-1 or windows-1252 holding accents, its encoding
/// named in the header and the declaration, is read as the characters meant, its seal (over their
/// UTF-8 bytes) verified, and answered in UTF-8; header and declaration naming two encodings is a
/// Client fault naming both.
#[tokio::test]
async fn requests_in_the_encoding_they_declare_are_read_as_meant() {
    use sips_wallet::contract::operations::AddCard;
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let addr = simulator.local_addr();
    for (wallet, encoding, alias) in [
        ("W-LATIN1", "ISO-8859-1", "Carte de Zoé, l'été"),
        ("W-CP1252", "windows-1252", "Café à 5 €"),
    ] {
        let mut request = add_card(wallet, "4111111111111111").payment_mean_alias(alias);
        let prepared = client.prepare::<AddCard>(&mut request).unwrap();
        let body = transcoded(&prepared.body, encoding);
        let content_type = format!("text/xml; charset={encoding}");
        let host = addr.to_string();
        let headers = [
            ("host", host.as_str()),
            ("content-type", content_type.as_str()),
            ("soapaction", "\"\""),
        ];
        let (status, answer) =
            common::raw_request_with(addr, "POST", "/services/v2/wallet", &headers, &body).await;
        assert_eq!(status, 200, "{encoding}: {answer}");
        assert!(answer.contains(r#"encoding="UTF-8""#), "{answer}");
        assert!(
            answer.contains("<walletResponseCode>00</walletResponseCode>")
                || answer.contains(":walletResponseCode>00<"),
            "{encoding}: {answer}"
        );
        let held = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
            .await
            .unwrap();
        assert_eq!(held.verification, Verification::Verified);
        assert_eq!(
            held.response.wallet_payment_mean_data_list[0]
                .payment_mean_alias
                .as_deref(),
            Some(alias),
            "{encoding}"
        );
    }

    let mut request = add_card("W-MISMATCH", "4111111111111111").payment_mean_alias("Zoé");
    let prepared = client.prepare::<AddCard>(&mut request).unwrap();
    let host = addr.to_string();
    let headers = [
        ("host", host.as_str()),
        ("content-type", "text/xml; charset=utf-8"),
    ];
    let body = transcoded(&prepared.body, "ISO-8859-1");
    let (status, answer) =
        common::raw_request_with(addr, "POST", "/services/v2/wallet", &headers, &body).await;
    assert_eq!(status, 500, "{answer}");
    assert!(answer.contains("Client"), "{answer}");
    assert!(answer.contains("charset=utf-8"), "{answer}");
    assert!(answer.contains("ISO-8859-1"), "{answer}");
}
