//! The admin API a test talks to, under `/_simulator/` (off with `SimulatorConfig::admin(false)`,
//! `serve --no-admin`).
//!
//! Only the test's own process should drive it, never a browser page nor another host:
//!
//! - with no admin token (loopback only), a request must name the listener itself in `Host` (an
//!   IP address or `localhost`, with its port: a rebound DNS name is refused), and any `Origin`
//!   or `Referer` must be that origin too (`Sec-Fetch-Site: cross-site` is refused): no page of
//!   another origin can drive it, even with a `text/plain` form;
//! - with a token ([`SimulatorConfig::admin_token`](crate::simulator::SimulatorConfig::admin_token),
//!   `serve --admin-token`), every request carries `Authorization: Bearer TOKEN`; listening on a
//!   non-loopback address needs one (without it the admin API is off);
//! - a reset wipes a state file only when the simulator was started to allow it
//!   ([`SimulatorConfig::allow_state_reset`](crate::simulator::SimulatorConfig::allow_state_reset),
//!   `serve --allow-reset`); in memory, always.
//!
//! | request | answer |
//! |---|---|
//! | `GET /_simulator/health` | `{"status": "ok", "calls": N}` |
//! | `GET /_simulator/calls` | the calls received, oldest first: number, time, operation, merchant, wallet, code, outcome (wallet ids and merchants masked as free text; never a card number or IBAN) |
//! | `POST /_simulator/reset` | empties the wallets and the call list |
//! | `POST /_simulator/clock` with `{"now": "2026-01-01T09:00:00+01:00"}` | the time answers carry from then on; `{"now": null}` goes back to the machine's clock |

use bytes::Bytes;
use hyper::{Method, Request, StatusCode};

use crate::simulator::reply::{json_reply, HttpReply};
use crate::simulator::state::Shared;

/// Where the admin API lives.
pub(in crate::simulator) const PREFIX: &str = "/_simulator/";

/// Why a request may not drive the admin API, or `None` when it may.
fn refused(shared: &Shared, request: &Request<Bytes>) -> Option<(StatusCode, &'static str)> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(token) = &shared.config.admin_token {
        let given = header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        return (!same_secret(given.as_bytes(), token.0.as_bytes())).then_some((
            StatusCode::UNAUTHORIZED,
            "the admin API needs `Authorization: Bearer TOKEN` (the simulator's --admin-token)",
        ));
    }
    let port = shared.local_addr.port();
    // HTTP/2 names the host in the URI's authority, HTTP/1.1 in `Host`.
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str())
        .or_else(|| header("host"))
        .unwrap_or_default();
    if !is_this_listener(host, port) {
        return Some((
            StatusCode::FORBIDDEN,
            "the admin API answers requests naming this listener (its address or localhost, and its port) in Host",
        ));
    }
    let same_origin = |value: &str| {
        value
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
            .is_some_and(|authority| is_this_listener(authority, port))
    };
    let foreign = ["origin", "referer"]
        .iter()
        .filter_map(|name| header(name))
        .any(|value| !same_origin(value))
        || header("sec-fetch-site") == Some("cross-site");
    foreign.then_some((
        StatusCode::FORBIDDEN,
        "the admin API is not for pages of other origins",
    ))
}

/// Whether `authority` (`host:port`) names the listener on `port`: an IP address or `localhost`.
fn is_this_listener(authority: &str, port: u16) -> bool {
    let Some((host, given_port)) = authority.rsplit_once(':') else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    given_port.parse() == Ok(port)
        && (host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok())
}

/// Compares two secrets in time that does not depend on where they first differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Answers a request under [`PREFIX`].
pub(in crate::simulator) async fn handle(shared: &Shared, request: Request<Bytes>) -> HttpReply {
    if let Some((status, why)) = refused(shared, &request) {
        return json_reply(status, &serde_json::json!({ "error": why }));
    }
    let path = request.uri().path().trim_start_matches(PREFIX).to_string();
    match (request.method().clone(), path.as_str()) {
        (Method::GET, "health") => json_reply(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok", "calls": shared.calls_seen.snapshot().len() }),
        ),
        (Method::GET, "calls") => json_reply(StatusCode::OK, &shared.calls_seen.snapshot()),
        (Method::POST, "reset")
            if shared.config.state_file.is_some() && !shared.config.allow_state_reset =>
        {
            json_reply(
                StatusCode::FORBIDDEN,
                &serde_json::json!({
                    "error": "this simulator keeps its wallets in a state file, which a reset would wipe: start it with --allow-reset to allow that"
                }),
            )
        }
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
            let body = request.into_body();
            if body.len() > 4096 {
                return bad("the body could not be read (at most 4 KiB)");
            }
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

fn bad(message: &str) -> HttpReply {
    json_reply(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": message }),
    )
}
