//! addDirectDebit through the real path: the client over SOAP and JSON against the simulator
//! (00, 94 on the same mandate, the entry listed by getWalletData with its mandateId), a wrong
//! IBAN refused before sending, and the IBAN never in clear: not in `Debug`, errors, exchanges,
//! nor the simulator's state file. A state database of the previous schema is upgraded on open.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{builder, Action, TestServer};
use sips_wallet::contract::{AddDirectDebitRequest, GetWalletDataRequest};
use sips_wallet::simulator::SimulatorConfig;
use sips_wallet::{Binding, Error, Verification, WalletClient};

const IBAN: &str = "FR7630006000011234567890189";
const MASKED: &str = "FR76#####################89";

fn mandate(wallet: &str, mandate: &str) -> AddDirectDebitRequest {
    AddDirectDebitRequest::new()
        .merchant_wallet_id(wallet)
        .iban(IBAN)
        .mandate_id(mandate)
        .payment_mean_alias("rent")
}

async fn add_and_list(client: &WalletClient, wallet: &str) {
    let added = client
        .add_direct_debit(mandate(wallet, "M-1"))
        .await
        .unwrap();
    assert_eq!(added.code.as_deref(), Some("00"));
    assert_eq!(added.verification, Verification::Verified);
    assert_eq!(added.response.masked_pan.as_deref(), Some(MASKED));
    assert_eq!(added.response.payment_mean_id.as_deref(), Some("1"));
    assert!(added.response.wallet_action_date_time.is_some());

    let again = client
        .add_direct_debit(mandate(wallet, "M-1"))
        .await
        .unwrap();
    assert_eq!(again.code.as_deref(), Some("94"), "the same mandate again");
    let other = client
        .add_direct_debit(mandate(wallet, "M-2"))
        .await
        .unwrap();
    assert_eq!(
        other.code.as_deref(),
        Some("00"),
        "another mandate, same account"
    );

    let data = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
        .await
        .unwrap();
    assert_eq!(data.verification, Verification::Verified);
    let means = &data.response.wallet_payment_mean_data_list;
    assert_eq!(means.len(), 2);
    assert_eq!(means[0].mandate_id.as_deref(), Some("M-1"));
    assert_eq!(means[1].mandate_id.as_deref(), Some("M-2"));
    assert_eq!(means[0].masked_pan.as_deref(), Some(MASKED));
    assert_eq!(
        means[0].payment_mean_brand.as_ref().map(|b| b.as_str()),
        Some("SEPA_DIRECT_DEBIT")
    );
    assert_eq!(means[0].pan_expiry_date, None, "a mandate has no expiry");

    // The request's own IBAN field shows as the bank shows it, as the seal command shows it.
    assert!(format!("{:?}", mandate(wallet, "M-1")).contains(MASKED));
    for shown in [
        format!("{:?}", mandate(wallet, "M-1")),
        added.exchange.request(),
        format!("{:?}", added.exchange),
        format!("{data:?}"),
    ] {
        assert!(!shown.contains(IBAN), "the IBAN in clear: {shown}");
    }
}

#[tokio::test]
async fn a_mandate_is_added_once_listed_and_never_shown_in_clear_over_soap_and_json() {
    let dir = common::scratch_dir("sdd-state");
    let state = dir.join("state.db");
    let simulator = common::simulator(SimulatorConfig::default().state_file(&state)).await;
    let soap = common::demo_client(&simulator);
    add_and_list(&soap, "SDD-SOAP").await;
    let json = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(sips_wallet::simulator::DEMO_MERCHANT_ID)
        .key_version(sips_wallet::simulator::DEMO_KEY_VERSION)
        .secret_key(sips_wallet::SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY).unwrap())
        .binding(Binding::Json)
        .build()
        .unwrap();
    add_and_list(&json, "SDD-JSON").await;
    assert!(simulator.shutdown(Duration::from_secs(5)).await);

    // The state keeps the IBAN masked: nowhere in the database's files.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(IBAN), "the IBAN in the simulator's state");
        assert!(
            !text.contains("3000600001123456789"),
            "IBAN digits in the state"
        );
    }
}

#[tokio::test]
async fn a_wrong_iban_is_refused_before_anything_is_sent() {
    let server = TestServer::start(|_| Action::Respond(500, String::new())).await;
    let client = builder(&server.url).build().unwrap();
    let wrong = "FR7630006000011234567890188";
    let error = client
        .add_direct_debit(
            AddDirectDebitRequest::new()
                .merchant_wallet_id("W1")
                .iban(wrong)
                .mandate_id("M-1"),
        )
        .await
        .unwrap_err();
    match &error {
        Error::InvalidField { field, .. } => assert_eq!(field, "iban"),
        other => panic!("expected the IBAN refused, got {other:?}"),
    }
    assert!(!error.to_string().contains(wrong), "{error}");
    assert!(!format!("{error:?}").contains(wrong), "{error:?}");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
}

/// An IBAN typed in its print form (groups of four, lower case) goes out, sealed, in the electronic
/// form the bank writes; one that passes mod 97 but has not its country's length is refused
/// before anything is sent.
#[tokio::test]
async fn an_iban_goes_out_in_its_electronic_form_and_its_countrys_length_is_checked() {
    use sips_wallet::contract::operations::AddDirectDebit;
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let printed = "fr76 3000 6000 0112 3456 7890 189";
    let mut request = mandate("W-PRINT", "M-1").iban(printed);
    let prepared = client.prepare::<AddDirectDebit>(&mut request).unwrap();
    assert!(
        prepared.body.contains(&format!(">{IBAN}<")),
        "sent as the bank writes it"
    );
    assert_eq!(request.iban, IBAN, "and sealed so");
    let added = client
        .add_direct_debit(mandate("W-PRINT", "M-1").iban(printed))
        .await
        .unwrap();
    assert_eq!(added.code.as_deref(), Some("00"));
    assert_eq!(added.verification, Verification::Verified);
    assert_eq!(added.response.masked_pan.as_deref(), Some(MASKED));

    // Check digits right for these characters (mod 97 passes), one character short for France.
    let short = "FR133000600001123456789018";
    let error = client
        .add_direct_debit(mandate("W-PRINT", "M-2").iban(short))
        .await
        .unwrap_err();
    match &error {
        Error::InvalidField { field, reason } => {
            assert_eq!(field, "iban");
            assert!(reason.contains("length"), "{reason}");
        }
        other => panic!("expected the IBAN refused, got {other:?}"),
    }
    assert!(!error.chain().contains(short), "{error}");
}

/// A state file of schema version 1 (before mandates) is brought up to date on open, its wallets
/// kept, and takes mandates from then on.
#[tokio::test]
async fn a_state_file_of_the_previous_schema_is_upgraded() {
    let dir = common::scratch_dir("sdd-v1");
    let path = dir.join("state.db");
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE wallets (merchant_id TEXT NOT NULL, wallet_id TEXT NOT NULL,
                 created TEXT NOT NULL, last_action TEXT NOT NULL, next_mean INTEGER NOT NULL,
                 PRIMARY KEY (merchant_id, wallet_id)) WITHOUT ROWID;
             CREATE TABLE payment_means (merchant_id TEXT NOT NULL, wallet_id TEXT NOT NULL,
                 mean_id INTEGER NOT NULL, masked_pan TEXT NOT NULL, card_digest TEXT NOT NULL,
                 expiry TEXT NOT NULL, alias TEXT, brand TEXT,
                 PRIMARY KEY (merchant_id, wallet_id, mean_id),
                 FOREIGN KEY (merchant_id, wallet_id) REFERENCES wallets ON DELETE CASCADE) WITHOUT ROWID;
             INSERT INTO meta VALUES ('card_digest_salt', x'0102030405060708');
             INSERT INTO wallets VALUES ('011223344550000', 'OLD', '2026-01-01T00:00:00+00:00',
                 '2026-01-01T00:00:00+00:00', 2);
             INSERT INTO payment_means VALUES ('011223344550000', 'OLD', 1, '4111##########11',
                 'digest', '203012', NULL, 'VISA');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let simulator = common::simulator(SimulatorConfig::default().state_file(&path)).await;
    let client = common::demo_client(&simulator);
    let added = client
        .add_direct_debit(mandate("OLD", "M-9"))
        .await
        .unwrap();
    assert_eq!(added.code.as_deref(), Some("00"));
    let data = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("OLD"))
        .await
        .unwrap();
    let means = &data.response.wallet_payment_mean_data_list;
    assert_eq!(means.len(), 2, "{means:?}");
    assert_eq!(means[0].masked_pan.as_deref(), Some("4111##########11"));
    assert_eq!(means[1].mandate_id.as_deref(), Some("M-9"));
}
