//! Outbound proxies: which destinations go through one (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
//! `NO_PROXY` and their lower-case forms, as curl reads them, or the builder's settings), and a
//! connector that opens a CONNECT tunnel through the proxy for those. TLS to the bank then runs
//! inside the tunnel, end to end: the proxy never sees the messages.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::BoxError;

/// Where the proxy settings come from.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxySetting {
    /// The environment's variables (the default).
    #[default]
    FromEnv,
    /// Every destination through this proxy (`http://[user:password@]host:port`).
    Fixed(String),
    /// Never a proxy.
    None,
}

impl std::fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            // The URL may hold a password.
            ProxySetting::Fixed(_) => f.write_str("Fixed(..)"),
            ProxySetting::None => f.write_str("None"),
        }
    }
}

/// The variables read for a proxy, each upper-case first as curl does: every destination, plain
/// HTTP ones, HTTPS ones.
const PROXY_VARIABLES: [[&str; 2]; 3] = [
    ["ALL_PROXY", "all_proxy"],
    ["HTTP_PROXY", "http_proxy"],
    ["HTTPS_PROXY", "https_proxy"],
];
const NO_PROXY_VARIABLES: [&str; 2] = ["NO_PROXY", "no_proxy"];

impl ProxySetting {
    /// The proxies to use. A proxy URL that cannot be used (another scheme, an unreadable host or
    /// port) is an error naming where it came from: skipping it would connect directly, past the
    /// proxy the operator set.
    pub(crate) fn matcher(&self) -> Result<Option<Arc<Matcher>>, crate::Error> {
        self.matcher_with(|name| std::env::var(name).ok())
    }

    fn matcher_with(
        &self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Arc<Matcher>>, crate::Error> {
        let matcher = match self {
            ProxySetting::None => return Ok(None),
            // Under CGI, HTTP_PROXY may come from a request header (httpoxy): no proxy from the
            // environment, as hyper-util and curl do.
            ProxySetting::FromEnv if var("REQUEST_METHOD").is_some() => return Ok(None),
            ProxySetting::FromEnv => {
                let first = |names: &[&'static str]| {
                    names
                        .iter()
                        .find_map(|name| var(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
                };
                let mut found = [None, None, None];
                for (slot, names) in found.iter_mut().zip(PROXY_VARIABLES) {
                    if let Some((name, url)) = first(&names) {
                        check_proxy_url(name, &url)?;
                        *slot = Some(url);
                    }
                }
                let [all, http, https] = found;
                let mut builder = Matcher::builder();
                if let Some(url) = all {
                    builder = builder.all(url);
                }
                if let Some(url) = http {
                    builder = builder.http(url);
                }
                if let Some(url) = https {
                    builder = builder.https(url);
                }
                if let Some((_, no)) = first(&NO_PROXY_VARIABLES) {
                    builder = builder.no(no);
                }
                builder.build()
            }
            ProxySetting::Fixed(url) => {
                check_proxy_url("the proxy URL given to the builder", url)?;
                Matcher::builder().all(url.clone()).build()
            }
        };
        Ok(Some(Arc::new(matcher)))
    }
}

/// Whether a proxy URL can be used: `http://[user:password@]host[:port]` (or `host:port`). The
/// error names `source` and never shows the URL, which may hold a password.
fn check_proxy_url(source: &str, url: &str) -> Result<(), crate::Error> {
    let form = "write it as http://[user:password@]host:port";
    let unreadable = || {
        crate::Error::Config(format!(
            "{source}: not a usable proxy URL (its host or port cannot be read): {form}"
        ))
    };
    let parsed: http::Uri = url.parse().map_err(|_| unreadable())?;
    match parsed.scheme_str() {
        None | Some("http") => {}
        Some(scheme) => {
            return Err(crate::Error::Config(format!(
                "{source}: the proxy scheme `{}` is not supported (TLS to the bank runs inside an HTTP CONNECT tunnel): {form}",
                crate::mask::from_outside(scheme)
            )))
        }
    }
    let authority = parsed.authority().ok_or_else(unreadable)?;
    // `http::Uri` keeps a port it cannot read as text: check it is a number.
    let host_port = authority.as_str().rsplit('@').next().unwrap_or_default();
    let port = host_port
        .rsplit_once(':')
        .filter(|(host, _)| !host.starts_with('[') || host.ends_with(']'))
        .map(|(_, port)| port);
    if authority.host().is_empty() || port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err(unreadable());
    }
    Ok(())
}

/// TCP straight to the destination, or through a CONNECT tunnel when the settings say so.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    direct: HttpConnector,
    proxies: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    pub(crate) fn new(direct: HttpConnector, proxies: Option<Arc<Matcher>>) -> ProxyConnector {
        ProxyConnector { direct, proxies }
    }
}

type Connecting = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, BoxError>> + Send>>;

impl Service<http::Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: http::Uri) -> Self::Future {
        let intercept = self
            .proxies
            .as_ref()
            .and_then(|proxies| proxies.intercept(&destination));
        let mut direct = self.direct.clone();
        match intercept {
            None => Box::pin(async move { Ok(direct.call(destination).await?) }),
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), direct);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move { Ok(tunnel.call(destination).await?) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Option<Arc<Matcher>>, crate::Error> {
        ProxySetting::FromEnv.matcher_with(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn an_unusable_proxy_variable_is_an_error_naming_it_never_skipped() {
        for (name, url) in [
            ("HTTPS_PROXY", "ftp://u:secret@host:3128"),
            ("https_proxy", "http://u:secret@[::1"),
            ("HTTP_PROXY", "http://host:port"),
            ("ALL_PROXY", "socks5://host:1080"),
            ("ALL_PROXY", "https://host:3128"),
            ("HTTPS_PROXY", "http://:3128"),
        ] {
            let error = from(&[(name, url)]).unwrap_err();
            let message = error.to_string();
            assert!(matches!(error, crate::Error::Config(_)), "{url}: {error:?}");
            assert!(message.contains(name), "{url}: {message}");
            assert!(!message.contains("secret"), "{url}: {message}");
        }
        let fixed = ProxySetting::Fixed("socks5://h:1".into()).matcher();
        assert!(matches!(fixed, Err(crate::Error::Config(_))), "{fixed:?}");
    }

    #[test]
    fn usable_proxies_are_taken_upper_case_first() {
        let destination: http::Uri = "https://bank.example/".parse().unwrap();
        let matcher = from(&[
            ("HTTPS_PROXY", "http://proxy.example:3128"),
            ("https_proxy", "ftp://ignored"),
        ])
        .unwrap()
        .unwrap();
        let proxy = matcher.intercept(&destination).unwrap();
        assert_eq!(proxy.uri().host(), Some("proxy.example"));
        let bare = from(&[("HTTPS_PROXY", "proxy.example:3128")])
            .unwrap()
            .unwrap();
        assert!(bare.intercept(&destination).is_some());
        let bypassed = from(&[("HTTPS_PROXY", "proxy:1"), ("NO_PROXY", "bank.example")])
            .unwrap()
            .unwrap();
        assert!(bypassed.intercept(&destination).is_none());
        assert!(
            from(&[("HTTPS_PROXY", "ftp://x"), ("REQUEST_METHOD", "GET")])
                .unwrap()
                .is_none()
        );
    }
}
