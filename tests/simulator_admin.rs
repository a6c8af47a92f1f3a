//! The simulator driven while it runs, as a test drives a test double: rules added, listed and
//! removed over HTTP; the call journal (masked requests) filtered and counted; resets of one
//! wallet or one merchant; metrics in Prometheus' text format; and the same in-process.

mod common;

use sips_wallet::contract::{GetWalletDataRequest, SignOffRequest};
use sips_wallet::fuzzing::card_number_in;
use sips_wallet::simulator::{CallFilter, Scenario, SimulatorConfig};

use common::add_card;

async fn admin(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    common::raw_request(addr, method, path, "text/plain", body).await
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_default()
}

/// A rule posted at run time changes the next answer, `times = N` steps it aside after N calls,
/// it is listed with its id, and removing it brings the simulator back to its own answers; a rule
/// that cannot be played is refused as at start, naming the key.
#[tokio::test]
async fn rules_posted_at_run_time_change_the_next_answer() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let client = common::demo_client(&simulator);
    let sign_off = || client.sign_off(SignOffRequest::new().merchant_wallet_id("RULED"));
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("25"));

    let (status, added) = admin(
        addr,
        "POST",
        "/_simulator/rules",
        "[[rule]]\noperation = \"signOff\"\nwallet = \"RULED\"\nanswer = \"99\"\ntimes = 2\n",
    )
    .await;
    assert_eq!(status, 201, "{added}");
    let id = json(&added)["id"].as_u64().unwrap();
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("99"));
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("99"));
    assert_eq!(
        sign_off().await.unwrap().code.as_deref(),
        Some("25"),
        "used up"
    );

    let (_, again) = admin(
        addr,
        "POST",
        "/_simulator/rules",
        "[[rule]]\noperation = \"signOff\"\nanswer = \"05\"\n",
    )
    .await;
    let second = json(&again)["id"].as_u64().unwrap();
    assert_ne!(id, second);
    let (_, listed) = admin(addr, "GET", "/_simulator/rules", "").await;
    let listed = json(&listed);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[1]["id"].as_u64(), Some(second));
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("05"));
    let (status, _) = admin(addr, "DELETE", &format!("/_simulator/rules/{second}"), "").await;
    assert_eq!(status, 200);
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("25"));
    let (status, _) = admin(addr, "DELETE", &format!("/_simulator/rules/{second}"), "").await;
    assert_eq!(status, 404);

    let (status, refused) = admin(
        addr,
        "POST",
        "/_simulator/rules",
        "[[rule]]\noperation = \"signOff\"\nanswer = \"99\"\ntimes = 0\n",
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused.contains("times"), "{refused}");
    // A refused rule's values are shown masked: the answer travels to whoever posted it.
    let card = "4111111111111111";
    let (status, refused) = admin(
        addr,
        "POST",
        "/_simulator/rules",
        &format!("[[rule]]\noperation = \"{card}\"\nanswer = \"{card}\"\n"),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused.contains("answer") || refused.contains("operation"),
        "{refused}"
    );
    assert!(!refused.contains(card), "{refused}");
    let (status, _) = admin(addr, "DELETE", "/_simulator/rules", "").await;
    assert_eq!(status, 200);
    assert!(simulator.rules().is_empty());

    // In-process, the same.
    let id = simulator.add_rules(
        Scenario::from_toml("[[rule]]\noperation = \"signOff\"\nanswer = \"99\"\n").unwrap(),
    );
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("99"));
    assert!(simulator.remove_rules(id));
    assert_eq!(sign_off().await.unwrap().code.as_deref(), Some("25"));
}

/// The journal shows each request masked, and answers filtered lists and counts; a reset of one
/// wallet or one merchant leaves the others; the metrics count calls by operation and code.
#[tokio::test]
async fn the_journal_filters_and_counts_and_resets_are_per_wallet_or_merchant() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let client = common::demo_client(&simulator);
    let card = "4111111111111111";
    for wallet in ["KEEP", "DROP"] {
        let added = client.add_card(add_card(wallet, card)).await.unwrap();
        assert_eq!(added.code.as_deref(), Some("00"));
    }
    client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("NOBODY"))
        .await
        .unwrap();

    let (status, calls) = admin(
        addr,
        "GET",
        "/_simulator/calls?operation=addCard&wallet=KEEP",
        "",
    )
    .await;
    assert_eq!(status, 200, "{calls}");
    let calls = json(&calls);
    assert_eq!(calls.as_array().map(Vec::len), Some(1), "{calls}");
    let request = calls[0]["request"].as_str().unwrap();
    assert!(
        request.contains("KEEP") && request.contains("cardNumber"),
        "{request}"
    );
    assert!(!request.contains(card), "the request is masked: {request}");
    let (_, count) = admin(addr, "GET", "/_simulator/calls/count?code=25", "").await;
    assert_eq!(json(&count)["count"], 1, "{count}");
    let (status, refused) = admin(addr, "GET", "/_simulator/calls?card=4111111111111111", "").await;
    assert_eq!(status, 400);
    assert!(!refused.contains(card), "{refused}");

    let (_, metrics) = admin(addr, "GET", "/_simulator/metrics", "").await;
    assert!(
        metrics.contains(r#"sips_simulator_calls_total{operation="addCard",code="00"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("sips_simulator_call_duration_seconds_bucket"),
        "{metrics}"
    );

    let (status, reset) = admin(addr, "POST", "/_simulator/reset?wallet=DROP", "").await;
    assert_eq!(status, 200, "{reset}");
    assert_eq!(json(&reset)["wallets"], 1);
    let held = |wallet: &'static str| {
        let client = client.clone();
        async move {
            client
                .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
                .await
                .unwrap()
                .code
        }
    };
    assert_eq!(held("DROP").await.as_deref(), Some("25"));
    assert_eq!(held("KEEP").await.as_deref(), Some("00"));
    assert_eq!(
        simulator.count_calls(&CallFilter::new().wallet("DROP")),
        1,
        "only the read after"
    );

    let merchant = sips_wallet::simulator::DEMO_MERCHANT_ID;
    assert_eq!(simulator.reset_where(Some(merchant), None).unwrap(), 1);
    assert_eq!(held("KEEP").await.as_deref(), Some("25"));
}

/// The call list over HTTP: serde_json writes a control character as `\u0001`, whose digits, read
/// as written, join the digits after it (`0001123456780` passes Luhn): the reply is masked again
/// as a whole, and stays JSON.
#[tokio::test]
async fn the_call_list_spells_no_card_number_with_the_escapes_json_writes() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let request = serde_json::json!({
        "merchantId": sips_wallet::simulator::DEMO_MERCHANT_ID,
        "keyVersion": "1",
        "interfaceVersion": "WR_WS_2.49",
        "merchantWalletId": "\u{1}123456780",
        "seal": "00",
    });
    let (status, _) = common::raw_request(
        addr,
        "POST",
        "/rs-services/v2/wallet/getWalletData",
        "application/json",
        &request.to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, calls) = admin(addr, "GET", "/_simulator/calls", "").await;
    assert_eq!(status, 200, "{calls}");
    assert_eq!(json(&calls).as_array().map(Vec::len), Some(1), "{calls}");
    assert_eq!(card_number_in(&calls), None, "{calls}");
}
