//! The call span as an OpenTelemetry bridge reads it: one CLIENT span per call, named after the
//! method, covering every attempt, with the RPC attributes set (the Sips code, or the error kind).
//!
//! One test in its own binary with a process-wide subscriber, so that no other test's thread can
//! make tracing cache a callsite as disabled before it is installed.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// A span's name and the fields it holds when it closes.
type Span = (String, BTreeMap<String, String>);

/// Keeps every `sips_wallet.call` span: its fields as they were recorded, and how many spans of
/// that name were open at once (attempts must not open calls of their own).
#[derive(Clone, Default)]
struct Spans {
    closed: Arc<Mutex<Vec<Span>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<BTreeMap<String, String>>() {
                values.record(&mut Fields(fields));
            }
        }
    }
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if span.name() == "sips_wallet.call" {
                let fields = span
                    .extensions()
                    .get::<BTreeMap<String, String>>()
                    .cloned()
                    .unwrap_or_default();
                let parent_call = span.scope().skip(1).any(|s| s.name() == span.name());
                assert!(!parent_call, "a call span inside a call span");
                self.closed
                    .lock()
                    .unwrap()
                    .push((span.name().to_string(), fields));
            }
        }
    }
}

impl Spans {
    fn take(&self) -> Vec<Span> {
        std::mem::take(&mut *self.closed.lock().unwrap())
    }
}

#[test]
fn each_call_is_one_client_span_with_the_rpc_attributes() {
    let spans = Spans::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(spans.clone()))
        .unwrap();
    common::two_thread_runtime().block_on(async {
        let (simulator, client) = common::demo_simulator().await;
        let card = || {
            AddCardRequest::new()
                .merchant_wallet_id("SPANS")
                .card_number("4111111111111111")
                .card_expiry_date("202812")
        };
        assert!(client.add_card(card()).await.unwrap().is_success());
        let duplicate = client.add_card(card()).await.unwrap();
        assert_eq!(duplicate.code.as_deref(), Some("94"));
        let port = simulator.local_addr().port().to_string();
        let closed = spans.take();
        assert_eq!(closed.len(), 2, "{closed:#?}");
        for ((name, fields), code) in closed.iter().zip(["00", "94"]) {
            assert_eq!(name, "sips_wallet.call");
            let field = |key: &str| fields.get(key).map(String::as_str);
            assert_eq!(field("otel.kind"), Some("client"), "{fields:#?}");
            assert_eq!(field("otel.name"), Some("WalletService/addCard"));
            assert_eq!(field("rpc.method"), Some("WalletService/addCard"));
            assert_eq!(field("rpc.system.name"), Some("sips"));
            assert_eq!(field("rpc.status_code"), Some(code));
            assert_eq!(field("server.address"), Some("127.0.0.1"));
            assert_eq!(field("server.port").map(str::to_string), Some(port.clone()));
            assert_eq!(field("error.type"), None);
            assert!(!format!("{fields:?}").contains("41111111"), "{fields:#?}");
        }

        // A read retried twice against a port where nothing listens: one span for the three
        // attempts, with the error's kind and no status code.
        let (_socket, closed_port) = common::closed_port();
        let retrying = common::builder(&format!("http://127.0.0.1:{closed_port}"))
            .call_options(common::quick_retries())
            .build()
            .unwrap();
        let error = retrying
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("SPANS"))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), "connect");
        let closed = spans.take();
        assert_eq!(closed.len(), 1, "one span for every attempt: {closed:#?}");
        let fields = &closed[0].1;
        assert_eq!(
            fields.get("rpc.method").map(String::as_str),
            Some("WalletService/getWalletData")
        );
        assert_eq!(
            fields.get("error.type").map(String::as_str),
            Some("connect")
        );
        assert_eq!(fields.get("rpc.status_code"), None, "{fields:#?}");
    });
}
