//! The admin API a test talks to, under `/_simulator/` (off with `SimulatorConfig::admin(false)`,
//! `serve --no-admin`).
//!
//! Only the test's own process should drive it, never a browser page nor another host:
//!
//! - with no admin token (loopback only), a request must name the listener itself in `Host` (an
//!   IP address or `localhost`, with its port: a rebound DNS name is refused), and any `Origin`
//!   or `Referer` must be that origin too (the same authority, or a loopback one with the port;
//!   a `Sec-Fetch-Site` other than `same-origin` or `none` is refused): no page of another
//!   origin can drive it, even with a `text/plain` form;
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
//! | `GET /_simulator/calls[?operation=&merchant=&wallet=&code=]` | the calls received (the latest 10,000), oldest first: number, time, operation, merchant, wallet, code, outcome, and the request itself (its first 4,096 characters), masked (wallet ids and merchants as free text; never a card number or IBAN) |
//! | `GET /_simulator/calls/count[?…]` | `{"count": N}`, with the same filters |
//! | `GET /_simulator/metrics` | Prometheus text: calls by operation (`unknown` when a request named none) and code, their latency |
//! | `POST /_simulator/reset[?merchant=M][&wallet=W]` | empties the wallets (one merchant's, or one wallet) and their calls; a whole reset clears the metrics too |
//! | `POST /_simulator/rules` with scenario TOML (`[[rule]]`…, at most 64 KiB) | adds them at once, before every rule already there, validated as at start: `201 {"id": N, "rules": count}` |
//! | `GET /_simulator/rules` | the sets added at run time: id, time, count, TOML (masked) |
//! | `DELETE /_simulator/rules/{id}`, `DELETE /_simulator/rules` | removes one set, or every set added at run time |
//! | `POST /_simulator/clock` with `{"now": "2026-01-01T09:00:00+01:00"}` | the time answers carry from then on; `{"now": null}` goes back to the machine's clock |

use bytes::Bytes;
use hyper::{Method, Request, Response, StatusCode};

use crate::simulator::journal::CallFilter;
use crate::simulator::reply::{json_reply, whole, HttpReply};
use crate::simulator::scenario::Scenario;
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
    // A page's origin names this listener when it is the very authority this request names, or a
    // loopback one with the port: a page served from another address on the same port (an
    // attacker's `http://203.0.113.5:7070`) is not this listener.
    let same_origin = |value: &str| {
        value
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
            .is_some_and(|authority| {
                is_this_listener(authority, port)
                    && (authority.eq_ignore_ascii_case(host) || is_loopback(authority))
            })
    };
    let foreign = ["origin", "referer"]
        .iter()
        .filter_map(|name| header(name))
        .any(|value| !same_origin(value))
        // A browser says where a request comes from: only from this origin, or from no page.
        || header("sec-fetch-site").is_some_and(|site| site != "same-origin" && site != "none");
    foreign.then_some((
        StatusCode::FORBIDDEN,
        "the admin API is not for pages of other origins",
    ))
}

/// Whether `authority` (`host:port`) names the listener on `port`: an IP address or `localhost`.
fn is_this_listener(authority: &str, port: u16) -> bool {
    host_and_port(authority).is_some_and(|(host, given_port)| {
        given_port.parse() == Ok(port)
            && (host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok())
    })
}

/// Whether `authority` (`host:port`) is `localhost` or a loopback address.
fn is_loopback(authority: &str) -> bool {
    host_and_port(authority).is_some_and(|(host, _)| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// `host:port` apart, an IPv6 literal's brackets taken off the host.
fn host_and_port(authority: &str) -> Option<(&str, &str)> {
    let (host, port) = authority.rsplit_once(':')?;
    Some((host.trim_start_matches('[').trim_end_matches(']'), port))
}

/// Compares two secrets in time that does not depend on where they first differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The largest body a rules POST may carry.
const MAX_RULES_BYTES: usize = 64 << 10;

/// Answers a request under [`PREFIX`].
pub(in crate::simulator) async fn handle(shared: &Shared, request: Request<Bytes>) -> HttpReply {
    if let Some((status, why)) = refused(shared, &request) {
        return json_reply(status, &serde_json::json!({ "error": why }));
    }
    let path = request.uri().path().trim_start_matches(PREFIX).to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let ok = |value: serde_json::Value| json_reply(StatusCode::OK, &value);
    match (request.method().clone(), path.as_str()) {
        (Method::GET, "health") => ok(serde_json::json!({
            "status": "ok",
            "calls": shared.calls_seen.count(&CallFilter::new()),
        })),
        (Method::GET, "calls") => match filter_of(&query) {
            Ok(filter) => json_reply(StatusCode::OK, &shared.calls_seen.matching(&filter)),
            Err(why) => bad(&why),
        },
        (Method::GET, "calls/count") => match filter_of(&query) {
            Ok(filter) => ok(serde_json::json!({ "count": shared.calls_seen.count(&filter) })),
            Err(why) => bad(&why),
        },
        (Method::GET, "metrics") => {
            let mut reply = Response::new(whole(shared.meter.render()));
            reply.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            reply
        }
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
        (Method::POST, "reset") => {
            let filter = match filter_of(&query) {
                Ok(filter) if filter.operation.is_none() && filter.code.is_none() => filter,
                _ => return bad("a reset takes `merchant` and `wallet` only"),
            };
            match shared.reset(filter.merchant.as_deref(), filter.wallet.as_deref()) {
                Ok(wallets) => ok(serde_json::json!({ "reset": true, "wallets": wallets })),
                Err(error) => {
                    tracing::error!(%error, "the state could not be reset");
                    json_reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &serde_json::json!({ "error": error.to_string() }),
                    )
                }
            }
        }
        (Method::GET, "rules") => json_reply(StatusCode::OK, &shared.rules()),
        (Method::POST, "rules") => {
            let body = request.into_body();
            if body.len() > MAX_RULES_BYTES {
                return bad("rules come in at most 64 KiB of TOML");
            }
            let Ok(text) = std::str::from_utf8(&body) else {
                return bad("rules are TOML, in UTF-8");
            };
            match Scenario::from_toml(text) {
                Ok(rules) if rules.is_empty() => bad("no [[rule]] in the body"),
                Ok(rules) => {
                    let count = rules.len();
                    let id = shared.add_rules(rules, text.to_string());
                    json_reply(
                        StatusCode::CREATED,
                        &serde_json::json!({ "id": id, "rules": count }),
                    )
                }
                Err(error) => bad(&error.to_string()),
            }
        }
        (Method::DELETE, "rules") => {
            ok(serde_json::json!({ "removed": shared.remove_rules(None) }))
        }
        (Method::DELETE, rules) if rules.starts_with("rules/") => {
            let Ok(id) = rules["rules/".len()..].parse::<u64>() else {
                return bad("DELETE /_simulator/rules/{id}, the id a POST gave");
            };
            match shared.remove_rules(Some(id)) {
                0 => json_reply(
                    StatusCode::NOT_FOUND,
                    &serde_json::json!({ "error": format!("no rules with id {id}") }),
                ),
                removed => ok(serde_json::json!({ "removed": removed })),
            }
        }
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
            ok(serde_json::json!({ "now": fields.get("now") }))
        }
        _ => json_reply(
            StatusCode::NOT_FOUND,
            &serde_json::json!({
                "error": "the admin API: GET health, GET calls[/count]?operation=&merchant=&wallet=&code=, GET metrics, POST reset[?merchant=&wallet=], GET|POST|DELETE rules, DELETE rules/{id}, POST clock"
            }),
        ),
    }
}

/// A call filter from a query string (`operation=addCard&wallet=W1`), percent-decoded; an
/// unknown key is refused by name.
fn filter_of(query: &str) -> Result<CallFilter, String> {
    let mut filter = CallFilter::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8_lossy()
            .into_owned();
        match key {
            "operation" => filter.operation = Some(value),
            "merchant" => filter.merchant = Some(value),
            "wallet" => filter.wallet = Some(value),
            "code" => filter.code = Some(value),
            other => {
                return Err(format!(
                    "`{}` is not a filter: operation, merchant, wallet or code",
                    crate::mask::from_outside(other)
                ))
            }
        }
    }
    Ok(filter)
}

fn bad(message: &str) -> HttpReply {
    json_reply(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": message }),
    )
}
