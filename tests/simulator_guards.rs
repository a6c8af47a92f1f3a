//! What guards the simulator: its admin API answers the test that started it and nothing else (no
//! page of another origin, a form posting `text/plain`, a rebound DNS name; no other host without
//! its token); a reset wipes a state file only when allowed; the call list stays small whatever the
//! requests; bodies sent slowly lock no client out.

mod common;

use common::{raw_request, raw_request_with};
use sips_wallet::simulator::{Simulator, SimulatorConfig};

#[tokio::test]
async fn only_the_listener_itself_is_served_never_another_origin() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let port = addr.port();
    let own = format!("127.0.0.1:{port}");
    let localhost = format!("localhost:{port}");
    let reset = |headers: Vec<(&'static str, String)>| async move {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        raw_request_with(addr, "POST", "/_simulator/reset", &headers, "")
            .await
            .0
    };
    assert_eq!(reset(vec![("host", own.clone())]).await, 200);
    assert_eq!(reset(vec![("host", localhost.clone())]).await, 200);
    assert_eq!(
        reset(vec![("host", format!("[::1]:{port}"))]).await,
        200,
        "an IP literal names this listener"
    );
    // A rebound name, another port, no Host at all.
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".into()] {
        assert_eq!(reset(vec![("host", host.clone())]).await, 403, "{host}");
    }
    assert_eq!(reset(vec![]).await, 403, "no Host names nothing");
    // A page of another origin posting a form (`text/plain` needs no preflight).
    for (name, value) in [
        ("origin", "https://evil.example".to_string()),
        ("origin", "null".into()),
        ("referer", "https://evil.example/page".into()),
        ("sec-fetch-site", "cross-site".into()),
        ("sec-fetch-site", "same-site".into()),
        // A page served from another address on the listener's own port.
        ("origin", format!("http://203.0.113.5:{port}")),
        ("referer", format!("http://192.168.1.20:{port}/page")),
    ] {
        let status = reset(vec![
            ("host", own.clone()),
            ("content-type", "text/plain".into()),
            (name, value.clone()),
        ])
        .await;
        assert_eq!(status, 403, "{name}: {value}");
    }
    // The listener's own page may.
    let status = reset(vec![
        ("host", own.clone()),
        ("origin", format!("http://{own}")),
        ("referer", format!("http://{localhost}/")),
        ("sec-fetch-site", "same-origin".into()),
    ])
    .await;
    assert_eq!(status, 200);
    let (status, body) = raw_request(addr, "GET", "/_simulator/health", "text/plain", "").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_token_is_asked_of_every_request_when_one_is_set() {
    let simulator = common::simulator(SimulatorConfig::default().admin_token("s3cret-token")).await;
    let addr = simulator.local_addr();
    let host = addr.to_string();
    let health = |authorization: Option<&'static str>| {
        let host = host.clone();
        async move {
            let mut headers = vec![("host", host.as_str())];
            if let Some(value) = authorization {
                headers.push(("authorization", value));
            }
            raw_request_with(addr, "GET", "/_simulator/health", &headers, "").await
        }
    };
    assert_eq!(health(None).await.0, 401);
    assert_eq!(health(Some("Bearer wrong")).await.0, 401);
    assert_eq!(health(Some("Bearer s3cret-token-and-more")).await.0, 401);
    let (status, body) = health(Some("Bearer s3cret-token")).await;
    assert_eq!(status, 200, "{body}");
    assert!(!format!(
        "{:?}",
        SimulatorConfig::default().admin_token("s3cret-token")
    )
    .contains("s3cret"));
}

#[tokio::test]
async fn on_another_address_the_admin_api_needs_a_token() {
    let simulator = Simulator::start(SimulatorConfig::default(), ([0, 0, 0, 0], 0).into())
        .await
        .unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], simulator.local_addr().port()));
    let (status, _) = raw_request(addr, "GET", "/_simulator/health", "text/plain", "").await;
    assert_eq!(status, 404, "off: served as an unknown path");
    let with_token = Simulator::start(
        SimulatorConfig::default().admin_token("t"),
        ([0, 0, 0, 0], 0).into(),
    )
    .await
    .unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], with_token.local_addr().port()));
    let host = addr.to_string();
    let (status, _) = raw_request_with(
        addr,
        "GET",
        "/_simulator/health",
        &[("host", &host), ("authorization", "Bearer t")],
        "",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_reset_wipes_a_state_file_only_when_allowed() {
    let dir = common::scratch_dir("admin-reset");
    for (allowed, expected) in [(false, 403), (true, 200)] {
        let file = dir.join(format!("wallets-{allowed}.db"));
        let simulator = common::simulator(
            SimulatorConfig::default()
                .state_file(&file)
                .allow_state_reset(allowed),
        )
        .await;
        let client = common::demo_client(&simulator);
        let added = client
            .add_card(
                sips_wallet::contract::AddCardRequest::new()
                    .merchant_wallet_id("KEEP")
                    .card_number("4111111111111111")
                    .card_expiry_date("203012"),
            )
            .await
            .unwrap();
        assert!(added.is_success());
        let (status, body) = raw_request(
            simulator.local_addr(),
            "POST",
            "/_simulator/reset",
            "application/json",
            "",
        )
        .await;
        assert_eq!(status, expected, "{body}");
        let kept = client
            .get_wallet_data(
                sips_wallet::contract::GetWalletDataRequest::new().merchant_wallet_id("KEEP"),
            )
            .await
            .unwrap();
        assert_eq!(
            kept.is_success(),
            !allowed,
            "the wallet survives a refused reset"
        );
        if !allowed {
            assert!(body.contains("--allow-reset"), "{body}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_call_list_stays_small_whatever_the_requests() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let huge = "W".repeat(200_000);
    for _ in 0..20 {
        let _ = client
            .sign_off(
                sips_wallet::contract::SignOffRequest::new().merchant_wallet_id(huge.as_str()),
            )
            .await;
    }
    let (status, calls) = raw_request(
        simulator.local_addr(),
        "GET",
        "/_simulator/calls",
        "application/json",
        "",
    )
    .await;
    assert_eq!(status, 200);
    // Each call shows its wallet id cut, and its request cut at 4,096 characters.
    assert!(
        calls.len() < 20 * 6 * 1024,
        "{} bytes for 20 calls",
        calls.len()
    );
    assert!(calls.contains("WWW…"), "a wallet id is cut, marked");
}

/// Connections that send a request's headers, then trickle its body, count as unfinished (as idle
/// ones do): at the cap, and at the per-client limit, a new client is still served at once, and a
/// body not whole within the header timeout has its connection closed.
#[tokio::test]
async fn bodies_sent_slowly_lock_no_client_out() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for config in [
        SimulatorConfig::default().max_connections(8),
        SimulatorConfig::default().max_connections_per_client(8),
    ] {
        let simulator =
            common::simulator(config.header_read_timeout(Duration::from_secs(30))).await;
        let addr = simulator.local_addr();
        let mut trickling = Vec::new();
        for _ in 0..8 {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /services/v2/wallet HTTP/1.1\r\nhost: {addr}\r\ncontent-type: text/xml\r\ncontent-length: 100000\r\n\r\n<"
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            trickling.push(stream);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let client = common::demo_client(&simulator);
        let reply = tokio::time::timeout(
            Duration::from_secs(2),
            client.sign_off(sips_wallet::contract::SignOffRequest::new().merchant_wallet_id("NEW")),
        )
        .await
        .expect("served at once")
        .unwrap();
        assert_eq!(reply.code.as_deref(), Some("25"));
        drop(trickling);
    }

    let simulator = common::simulator(
        SimulatorConfig::default().header_read_timeout(Duration::from_millis(500)),
    )
    .await;
    let addr = simulator.local_addr();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /services/v2/wallet HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 1000\r\n\r\n"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 64];
    let closed = loop {
        // A byte every 100 ms: alive, never done.
        let _ = slow.write_all(b" ").await;
        match tokio::time::timeout(Duration::from_millis(100), slow.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            _ if started.elapsed() > Duration::from_secs(5) => break false,
            _ => {}
        }
    };
    assert!(closed, "a trickled body kept its connection open");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
