//! The admin API a test talks to, under `/_simulator/` (off with `SimulatorConfig::admin(false)`,
//! `serve --no-admin`):
//!
//! | request | answer |
//! |---|---|
//! | `GET /_simulator/health` | `{"status": "ok", "calls": N}` |
//! | `GET /_simulator/calls` | the calls received, oldest first: number, time, operation, merchant, wallet, code, outcome (wallet ids and merchants masked as free text; never a card number or IBAN) |
//! | `POST /_simulator/reset` | empties the wallets and the call list |
//! | `POST /_simulator/clock` with `{"now": "2026-01-01T09:00:00+01:00"}` | the time answers carry from then on; `{"now": null}` goes back to the machine's clock |

use std::collections::VecDeque;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde::Serialize;

use super::answer::{json_reply, Reply};
use super::Shared;

/// Where the admin API lives.
pub(super) const PREFIX: &str = "/_simulator/";

/// The calls kept for `GET /_simulator/calls`: the latest ones, so a load test's memory stays flat.
pub(super) const KEPT_CALLS: usize = 10_000;

/// One call the simulator received, as the admin API lists it ([`Simulator::calls`](super::Simulator::calls)
/// in-process): recorded once its function has run (or was skipped).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CallRecord {
    /// Its rank among every request received, from 1.
    pub number: u64,
    /// When it was recorded, the simulator's local time with offset.
    pub time: String,
    /// The operation's WSDL name.
    pub operation: &'static str,
    /// `merchantId` (masked as free text).
    pub merchant: String,
    /// `merchantWalletId` (masked as free text).
    pub wallet: String,
    /// The response code the function gave (empty when it did not run).
    pub code: String,
    /// `answered`, `dropped before`, `dropped after`.
    pub outcome: &'static str,
}

/// The calls received, the latest [`KEPT_CALLS`].
#[derive(Debug, Default)]
pub(super) struct CallList(std::sync::Mutex<VecDeque<CallRecord>>);

impl CallList {
    pub(super) fn push(&self, record: CallRecord) {
        let mut calls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if calls.len() == KEPT_CALLS {
            calls.pop_front();
        }
        calls.push_back(record);
    }

    pub(super) fn snapshot(&self) -> Vec<CallRecord> {
        let calls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        calls.iter().cloned().collect()
    }

    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Answers a request under [`PREFIX`].
pub(super) async fn handle(shared: &Shared, request: Request<Incoming>) -> Reply {
    let path = request.uri().path().trim_start_matches(PREFIX).to_string();
    match (request.method().clone(), path.as_str()) {
        (Method::GET, "health") => json_reply(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok", "calls": shared.calls_seen.snapshot().len() }),
        ),
        (Method::GET, "calls") => json_reply(StatusCode::OK, &shared.calls_seen.snapshot()),
        (Method::POST, "reset") => match shared.store.reset() {
            Ok(()) => {
                shared.calls_seen.clear();
                json_reply(StatusCode::OK, &serde_json::json!({ "reset": true }))
            }
            Err(error) => {
                tracing::error!(%error, "the state could not be reset");
                json_reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &serde_json::json!({ "error": error.to_string() }),
                )
            }
        },
        (Method::POST, "clock") => {
            let body = match Limited::new(request.into_body(), 4096).collect().await {
                Ok(body) => body.to_bytes(),
                Err(_) => return bad("the body could not be read (at most 4 KiB)"),
            };
            let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&body) else {
                return bad(r#"expected {"now": "2026-01-01T09:00:00+01:00"} or {"now": null}"#);
            };
            match fields.get("now") {
                Some(serde_json::Value::Null) => shared.store.set_clock(None),
                Some(serde_json::Value::String(now))
                    if chrono::DateTime::parse_from_rfc3339(now).is_ok() =>
                {
                    shared.store.set_clock(Some(now.clone()))
                }
                _ => return bad("`now` must be an RFC 3339 date-time with its offset, or null"),
            }
            json_reply(
                StatusCode::OK,
                &serde_json::json!({ "now": fields.get("now") }),
            )
        }
        _ => json_reply(
            StatusCode::NOT_FOUND,
            &serde_json::json!({
                "error": "the admin API: GET health, GET calls, POST reset, POST clock"
            }),
        ),
    }
}

fn bad(message: &str) -> Reply {
    json_reply(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": message }),
    )
}
