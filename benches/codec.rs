//! `cargo bench --bench codec`: what encoding and decoding a message costs, each beside its floor
//! measured in the same run on the same bytes.
//!
//! - encode + seal (the client's request, the simulator's response) beside a hand-written quick-xml
//!   routine writing the same bytes (its events, no types, no seal);
//! - decode + verify (reading the envelope into the typed message, checking its seal) beside
//!   `common::floor_read`, the least a correct reader does by hand: bare quick-xml borrowing every
//!   text, namespaces resolved and checked, the seal verified with `hmac` (no types, no limits).
//!
//! Subject and floor run in alternating rounds; each figure is the median of the rounds. Timings
//! are measured here, never asserted in tests.
//!
//! Then the same messages go through zeep (Python), the peer a merchant would otherwise pick, by
//! `benches/zeep_peer.py` in a virtualenv under `target/` that this bench installs from PyPI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod common;

use quick_xml::events::Event;
use quick_xml::{Reader, Writer};
use sips_wallet::contract::{
    operations, AddCardOutput, AddCardRequest, GetWalletDataOutput, SignOffOutput, SignOffRequest,
    WalletPaymentMeanData,
};
use sips_wallet::envelope::{self, Content};
use sips_wallet::message::{Message, Operation};
use sips_wallet::seal::{self, Algorithm, SecretKey};
use sips_wallet::xml::Limits;

const ROUNDS: usize = 15;

/// Median time per call, in microseconds, of each routine (the subject first, then its floors),
/// measured in alternating rounds.
fn measure(routines: &mut [&mut dyn FnMut() -> usize]) -> Vec<f64> {
    // Enough iterations per round for about 20 ms of the subject.
    let started = Instant::now();
    std::hint::black_box(routines[0]());
    let once = started.elapsed().as_secs_f64().max(1e-7);
    let iterations = ((0.02 / once) as usize).clamp(10, 200_000);
    let time = |f: &mut dyn FnMut() -> usize| {
        let started = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(f());
        }
        started.elapsed().as_secs_f64() * 1e6 / iterations as f64
    };
    let mut times = vec![Vec::new(); routines.len()];
    for _ in 0..ROUNDS {
        for (routine, times) in routines.iter_mut().zip(&mut times) {
            times.push(time(*routine));
        }
    }
    times.iter_mut().map(|t| median(t)).collect()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Prints a row (the subject, its floor, and for a decode the bare read); returns the subject's
/// time and the floor's.
fn row(what: &str, times: &[f64]) -> (f64, f64) {
    let (subject, floor) = (times[0], times[1]);
    let bare = match times.get(2) {
        Some(bare) => format!("{bare:.2} µs | {:.2}×", subject / bare),
        None => "— | —".to_string(),
    };
    println!(
        "| {what} | {subject:.2} µs | {floor:.2} µs | {:.2}× | {bare} |",
        subject / floor
    );
    (subject, floor)
}

/// A message as the zeep peer gets it, and what it cost us.
struct PeerMessage {
    label: String,
    operation: &'static str,
    /// `{"request": fields}` (encode + seal) or `{"response": envelope}` (decode + verify).
    payload: serde_json::Value,
    /// Our time and the bare quick-xml floor's, in µs.
    ours: (f64, f64),
}

/// The floor for writing: the same document's events, replayed through quick-xml's writer.
fn events_of(xml: &str) -> Vec<Event<'static>> {
    let mut reader = Reader::from_str(xml);
    let mut events = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(event) => events.push(event.into_owned()),
            Err(e) => panic!("the subject wrote XML quick-xml cannot read: {e}"),
        }
    }
}

fn write_floor(events: &[Event<'static>]) -> Vec<u8> {
    let mut writer = Writer::new(Vec::with_capacity(2048));
    for event in events {
        writer.write_event(event.borrow()).expect("write");
    }
    writer.into_inner()
}

/// encode + seal of a request, as the client does it (no validation, no filling): the request
/// is the caller's, sealed in place (a seal already there is not part of the seal data).
fn encode_request<O: Operation>(key: &SecretKey, request: &mut O::Request) -> String {
    let sealed = seal::compute(Algorithm::HmacSha256, key, &request.seal_data());
    request.set_text("seal", &sealed).expect("seal field");
    envelope::write_request::<O>(request).expect("encode")
}

/// encode + seal of a response, as the simulator does it once it has built the response.
fn encode_response<O: Operation>(key: &SecretKey, response: &mut O::Response) -> String {
    let sealed = seal::compute(Algorithm::HmacSha256, key, &response.seal_data());
    response.set_text("seal", &sealed).expect("seal field");
    envelope::write_response::<O>(response).expect("encode")
}

/// decode + verify of a response, as the client does it.
fn decode_response<O: Operation>(key: &SecretKey, xml: &str) -> usize {
    let Ok(Content::Message(response)) = envelope::read_response::<O>(xml, Limits::default())
    else {
        panic!("the bench's own response does not decode")
    };
    let received = response.text("seal").unwrap_or_default();
    assert!(seal::verify(
        Algorithm::HmacSha256,
        key,
        &response.seal_data(),
        received
    ));
    1
}

fn encode_rows(label: &str, mut encode: impl FnMut() -> String) -> (f64, f64) {
    let written = encode();
    let events = events_of(&written);
    assert_eq!(
        write_floor(&events),
        written.as_bytes(),
        "{label}: the floor must write the same bytes"
    );
    row(
        &format!("{label}: encode + seal ({} bytes)", written.len()),
        &measure(&mut [&mut || encode().len(), &mut || write_floor(&events).len()]),
    )
}

fn decode_rows<O: Operation>(label: &str, key: &SecretKey, xml: &str) -> (f64, f64) {
    // The floor verifies what the client verifies, and refuses what it refuses.
    let mac = common::floor_read::keyed(KEY.as_bytes());
    let floor = |xml: &str| common::floor_read::floor_read(xml, &mac).is_some();
    assert!(floor(xml), "{label}: the floor must verify the answer");
    let tampered = xml.replacen(">00<", ">01<", 1);
    assert!(
        tampered != xml && !floor(&tampered),
        "{label}: the floor must refuse it tampered"
    );
    row(
        &format!("{label}: decode + verify ({} bytes)", xml.len()),
        &measure(&mut [
            &mut || decode_response::<O>(key, xml),
            &mut || usize::from(floor(xml)),
            &mut || common::bare_read(xml),
        ]),
    )
}

fn wallet(means: usize) -> GetWalletDataOutput {
    let mut response = GetWalletDataOutput::new()
        .wallet_response_code("00")
        .wallet_creation_date_time("2026-01-02T03:04:05+01:00")
        .wallet_last_action_date_time("2026-11-23T10:00:00+01:00");
    for i in 1..=means {
        response.wallet_payment_mean_data_list.push(
            WalletPaymentMeanData::new()
                .payment_mean_id(i.to_string())
                .masked_pan("4111##########11")
                .pan_expiry_date("202812")
                .payment_mean_alias(format!("card {i}"))
                .payment_mean_brand("VISA"),
        );
    }
    response
}

fn encode_peer<O: Operation>(label: &str, request: &O::Request, ours: (f64, f64)) -> PeerMessage {
    PeerMessage {
        label: format!("{label}: encode + seal"),
        operation: O::INFO.name,
        payload: serde_json::json!({ "request": request }),
        ours,
    }
}

fn decode_peer<O: Operation>(label: &str, xml: &str, ours: (f64, f64)) -> PeerMessage {
    PeerMessage {
        label: format!("{label}: decode + verify"),
        operation: O::INFO.name,
        payload: serde_json::json!({ "response": xml }),
        ours,
    }
}

/// A Python with zeep: the virtualenv under `target/`, made and filled on first use.
fn zeep_python() -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/zeep-venv");
    let python = venv.join("bin/python");
    let has_zeep = |python: &Path| {
        Command::new(python)
            .args(["-c", "import zeep"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has_zeep(&python) {
        return Ok(python);
    }
    let run = |command: &mut Command| match command.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => Err(e.to_string()),
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&python).args(["-m", "pip", "install", "-q", "zeep==4.3.1"]))?;
    Ok(python)
}

/// The same messages through zeep; prints the comparison table.
fn compare_with_zeep(key: &str, messages: &[PeerMessage]) -> Result<(), String> {
    let python = zeep_python()?;
    let folder = std::env::temp_dir().join(format!("sips-wallet-zeep-{}", std::process::id()));
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    let spec = serde_json::json!({
        "key": key,
        "messages": messages.iter().map(|m| {
            let mut entry = m.payload.clone();
            entry["label"] = m.label.clone().into();
            entry["operation"] = m.operation.into();
            entry
        }).collect::<Vec<_>>(),
    });
    std::fs::write(folder.join("messages.json"), spec.to_string()).map_err(|e| e.to_string())?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/zeep_peer.py");
    let output = Command::new(python)
        .arg(script)
        .arg(&folder)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&folder);
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    let zeep: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    println!(
        "\nThe same messages through zeep 4.3.1 (Python {}), same machine, same run.\n",
        python_version()
    );
    println!("| message: work | sips-wallet | zeep | zeep ÷ sips-wallet | zeep ÷ floor |");
    println!("|---|---|---|---|---|");
    for message in messages {
        let theirs = zeep[&message.label]
            .as_f64()
            .ok_or("zeep skipped a message")?;
        let (ours, floor) = message.ours;
        println!(
            "| {} | {ours:.2} µs | {theirs:.1} µs | {:.0}× | {:.0}× |",
            message.label,
            theirs / ours,
            theirs / floor
        );
    }
    Ok(())
}

fn python_version() -> String {
    Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .trim_start_matches("Python ")
                .to_string()
        })
        .unwrap_or_default()
}

/// The key every message here is sealed with.
const KEY: &str = "bench-secret-key";

fn main() {
    let key = SecretKey::new(KEY).expect("key");
    let mut sign_off = SignOffRequest::new()
        .merchant_wallet_id("WALLET-42")
        .interface_version("WR_WS_2.51");
    sign_off.merchant_id = "011223344550000".into();
    sign_off.key_version = "1".into();
    let mut add_card = AddCardRequest::new()
        .merchant_wallet_id("WALLET-42")
        .card_number("4111111111111111")
        .card_expiry_date("202812")
        .payment_mean_alias("personal")
        .interface_version("WR_WS_2.55");
    add_card.merchant_id = "011223344550000".into();
    add_card.key_version = "1".into();
    let mut peer = Vec::new();

    println!(
        "Per message, this machine, one core; each figure beside its floor in the same run.\n"
    );
    println!(
        "Floors: for encode + seal, quick-xml writing the same document's events; for decode + \
         verify,\nthe least a correct reader does by hand (bare quick-xml borrowing every text, \
         namespaces checked,\nthe seal verified), and beside it a bare read that verifies nothing.\n"
    );
    println!("| message: work | time | floor | ratio | bare read, no seal | ratio |");
    println!("|---|---|---|---|---|---|");
    let ours = encode_rows("signOff request", || {
        encode_request::<operations::SignOff>(&key, &mut sign_off)
    });
    peer.push(encode_peer::<operations::SignOff>(
        "signOff request",
        &sign_off,
        ours,
    ));
    let ours = encode_rows("addCard request", || {
        encode_request::<operations::AddCard>(&key, &mut add_card)
    });
    peer.push(encode_peer::<operations::AddCard>(
        "addCard request",
        &add_card,
        ours,
    ));

    let sign_off_response = encode_response::<operations::SignOff>(
        &key,
        &mut SignOffOutput::new()
            .wallet_response_code("00")
            .wallet_action_date_time("2026-11-23T10:00:00+01:00"),
    );
    let label = "signOff response, code 00";
    let ours = decode_rows::<operations::SignOff>(label, &key, &sign_off_response);
    peer.push(decode_peer::<operations::SignOff>(
        label,
        &sign_off_response,
        ours,
    ));
    let add_card_response = encode_response::<operations::AddCard>(
        &key,
        &mut AddCardOutput::new()
            .wallet_response_code("00")
            .wallet_action_date_time("2026-11-23T10:00:00+01:00")
            .payment_mean_id("3")
            .masked_pan("4111##########11"),
    );
    let label = "addCard response, code 00";
    let ours = decode_rows::<operations::AddCard>(label, &key, &add_card_response);
    peer.push(decode_peer::<operations::AddCard>(
        label,
        &add_card_response,
        ours,
    ));
    for means in [1, 10, 100] {
        let mut response = wallet(means);
        let label = format!("getWalletData response, {means} means, code 00");
        encode_rows(&label, || {
            encode_response::<operations::GetWalletData>(&key, &mut response)
        });
        let xml = encode_response::<operations::GetWalletData>(&key, &mut response);
        let ours = decode_rows::<operations::GetWalletData>(&label, &key, &xml);
        peer.push(decode_peer::<operations::GetWalletData>(&label, &xml, ours));
    }

    if let Err(reason) = compare_with_zeep(KEY, &peer) {
        println!("\nzeep: not measured ({reason})");
    }
}
