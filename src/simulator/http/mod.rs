//! The simulator as an HTTP server, along a request's path: the listener and its limits
//! (`server`, `connections`, `tls`), then, for each request, the admin routes (`admin`), the
//! published contract (`wsdl`), or the bank's handling of a posted body (the floors below), with
//! the scenario's wire faults and the call recorded.

pub(super) mod admin;
mod connections;
pub(super) mod server;
pub(super) mod tls;
mod wsdl;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::{Request, Response, StatusCode};

use super::faults::{self, Fault};
use super::journal::CallRecord;
use super::reply::{fault_reply, plain, whole, xml, Dropped, HttpReply};
use super::requests::{answer_body, Answered, Route};
use super::scenario::Drop;
use super::state::Shared;

pub(super) async fn handle(
    shared: Arc<Shared>,
    request: Request<Bytes>,
) -> Result<HttpReply, Dropped> {
    if shared.admin && request.uri().path().starts_with(admin::PREFIX) {
        return Ok(admin::handle(&shared, request).await);
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let Some(route) = Route::of(request.uri().path()) else {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "served here: /services/v2/wallet (SOAP), /rs-services/v2/wallet/<function> (JSON) and the In-App path",
        ));
    };
    let query = request.uri().query().unwrap_or_default().to_string();
    if request.method() == hyper::Method::GET && route == Route::Soap {
        return Ok(match wsdl::published(&shared, &query) {
            Some(text) => xml(StatusCode::OK, text),
            None => plain(StatusCode::NOT_FOUND, "try ?wsdl"),
        });
    }
    if request.method() != hyper::Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST a SOAP envelope",
        ));
    }
    let content_type = request.headers().get(hyper::header::CONTENT_TYPE).cloned();
    let body = request.into_body();
    let started = Instant::now();
    let number = shared.calls.fetch_add(1, Ordering::Relaxed) + 1;
    let rate = shared.config.fail_rate;
    let (failing, dropped) = if rate > 0.0 {
        shared.random(|random| {
            let failing = random.f64() < rate;
            (failing, failing && random.bool())
        })
    } else {
        (false, false)
    };
    if dropped {
        tracing::info!(call = number, "dropped the connection (fail rate)");
        return Err(Dropped("fail rate"));
    }
    // Answered where the connection is served, a file's calls too: the store has one connection,
    // so its calls run one at a time wherever they run, and a hop to another thread cost more
    // than the call itself (measured). A disk stall (a WAL checkpoint's fsync) holds every call
    // either way.
    let mut answered = answer_body(
        &shared,
        route,
        &body,
        charset(content_type.as_ref()),
        failing,
        number,
        None,
    );
    if !answered.effect.commit_delay.is_zero() {
        // The function runs later, in a task of its own: it commits (and the call is recorded)
        // even when the client has given up and the connection is gone.
        let (later, effect) = (shared.clone(), answered.effect.clone());
        let running = tokio::spawn(async move {
            tokio::time::sleep(effect.commit_delay).await;
            let answered = answer_body(
                &later,
                route,
                &body,
                charset(content_type.as_ref()),
                failing,
                number,
                Some(&effect),
            );
            record(&later, number, &answered, &body, started);
            answered
        });
        answered = running
            .await
            .map_err(|_| Dropped("the delayed function did not finish"))?;
    } else {
        record(&shared, number, &answered, &body, started);
    }
    let Answered { reply, effect, log } = answered;
    let delay = effect.delay + effect.fault.map_or(std::time::Duration::ZERO, Fault::delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let reply = match effect.fault {
        Some(fault) => with_fault(fault, reply).await,
        None => reply,
    };
    tracing::info!(
        call = number,
        operation = log.operation,
        merchant = %log.merchant,
        wallet = %log.wallet,
        code = %log.code,
        status = reply.status().as_u16(),
        dropped = ?effect.drop,
        duration_ms = started.elapsed().as_millis() as u64,
        "answered"
    );
    if effect.drop != Drop::Never {
        return Err(Dropped("scenario rule"));
    }
    Ok(reply)
}

/// Puts a call in the list the admin API shows, once its function has run (or was skipped).
fn record(shared: &Shared, number: u64, answered: &Answered, request: &[u8], started: Instant) {
    let log = &answered.log;
    shared
        .meter
        .record(log.operation, &log.code, started.elapsed());
    let record = CallRecord {
        number,
        time: super::store::now(),
        operation: log.operation,
        merchant: log.merchant.clone(),
        wallet: log.wallet.clone(),
        code: log.code.clone(),
        outcome: match answered.effect.drop {
            Drop::Before => "dropped before",
            Drop::After => "dropped after",
            _ => "answered",
        },
        // Filled, masked, when the call is listed.
        request: String::new(),
    };
    shared.calls_seen.push(record, request);
}

/// The answer as a fault makes it (the faults that change the message itself were applied when
/// it was made).
async fn with_fault(fault: Fault, reply: HttpReply) -> HttpReply {
    let (parts, body) = reply.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let rebuilt = |body| Response::from_parts(parts.clone(), body);
    match fault {
        Fault::TruncatedBody => {
            let half = bytes.len() / 2;
            rebuilt(faults::paced(
                bytes,
                half.max(1),
                std::time::Duration::ZERO,
                Some(half),
            ))
        }
        Fault::Trickle => rebuilt(faults::paced(
            bytes,
            16,
            std::time::Duration::from_millis(50),
            None,
        )),
        Fault::Html502 | Fault::Html504 => {
            let status = if fault == Fault::Html502 { 502 } else { 504 };
            let mut page = Response::new(whole(faults::html_page(status)));
            *page.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            page.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/html"),
            );
            page
        }
        Fault::SoapFault => fault_reply(
            "soapenv:Server",
            "the service is temporarily unavailable (a scenario fault)",
        ),
        Fault::InvalidXml => xml(
            StatusCode::OK,
            "<soapenv:Envelope><soapenv:Body><broken".into(),
        ),
        _ => rebuilt(whole(bytes)),
    }
}

/// The charset a request's `Content-Type` names, which is its body's encoding.
fn charset(content_type: Option<&hyper::header::HeaderValue>) -> Option<&str> {
    crate::xml::charset_of(content_type?.to_str().ok()?)
}
