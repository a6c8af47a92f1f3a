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

impl ProxySetting {
    pub(crate) fn matcher(&self) -> Result<Option<Arc<Matcher>>, crate::Error> {
        let matcher = match self {
            ProxySetting::None => return Ok(None),
            ProxySetting::FromEnv => Matcher::from_env(),
            ProxySetting::Fixed(url) => {
                let parsed: http::Uri = url
                    .parse()
                    .map_err(|_| crate::Error::Config("the proxy URL is not a valid URL".into()))?;
                if parsed.scheme_str() != Some("http") {
                    return Err(crate::Error::Config(
                        "the proxy URL must start with http:// (TLS to the bank runs inside the tunnel)"
                            .into(),
                    ));
                }
                Matcher::builder().all(url.clone()).build()
            }
        };
        Ok(Some(Arc::new(matcher)))
    }
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
