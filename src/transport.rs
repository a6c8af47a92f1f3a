//! HTTP: a pooled hyper client over rustls, with a total-time limit and a response size cap.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls_pki_types::CertificateDer;

use crate::proxy::{ProxyConnector, ProxySetting};
use crate::Error;

/// Which certificate authorities a TLS connection trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootStore {
    /// Mozilla's roots, compiled in: the same everywhere. Needs the `webpki-roots` feature (a
    /// default one); without it, building a client with this store fails with `Error::Config`.
    #[default]
    #[cfg_attr(docsrs, doc(cfg(feature = "webpki-roots")))]
    WebPki,
    /// The operating system's store. Needs the `native-roots` feature; without it, building a
    /// client with this store fails with `Error::Config`.
    #[cfg_attr(docsrs, doc(cfg(feature = "native-roots")))]
    System,
}

/// How to connect.
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_response_bytes: usize,
    pub root_store: RootStore,
    /// DER or PEM.
    pub extra_roots: Vec<Vec<u8>>,
    pub proxy: ProxySetting,
}

/// An answer, whatever its status.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    /// The `Content-Type` header, whose charset names the body's encoding.
    pub content_type: Option<http::HeaderValue>,
    pub body: Bytes,
}

impl HttpResponse {
    /// The `charset` the `Content-Type` names, if it names one readably.
    pub fn charset(&self) -> Option<&str> {
        let value = self.content_type.as_ref()?.to_str().ok()?;
        sips_wallet_runtime::xml::charset_of(value)
    }
}

#[derive(Clone)]
pub(crate) struct Transport {
    client: Client<HttpsConnector<ProxyConnector>, Full<Bytes>>,
    max_response_bytes: usize,
}

impl Transport {
    pub fn new(config: &TransportConfig) -> Result<Transport, Error> {
        let mut roots = rustls::RootCertStore::empty();
        match config.root_store {
            #[cfg(feature = "webpki-roots")]
            RootStore::WebPki => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            #[cfg(not(feature = "webpki-roots"))]
            RootStore::WebPki if config.extra_roots.is_empty() => return Err(Error::Config(
                "RootStore::WebPki needs the crate's `webpki-roots` feature: enable it, or choose \
                     RootStore::System (feature `native-roots`) or add_root_certificate"
                    .into(),
            )),
            #[cfg(not(feature = "webpki-roots"))]
            RootStore::WebPki => {}
            #[cfg(feature = "native-roots")]
            RootStore::System => {
                let found = rustls_native_certs::load_native_certs();
                if found.certs.is_empty() {
                    return Err(Error::Config(format!(
                        "no certificate found in the system store ({} errors)",
                        found.errors.len()
                    )));
                }
                roots.add_parsable_certificates(found.certs);
            }
            #[cfg(not(feature = "native-roots"))]
            RootStore::System => {
                return Err(Error::Config(
                    "RootStore::System needs the crate's `native-roots` feature".into(),
                ))
            }
        }
        for (index, given) in config.extra_roots.iter().enumerate() {
            for certificate in certificates(given, index)? {
                roots.add(certificate).map_err(|e| {
                    Error::Config(format!(
                        "trusted certificate #{}: not usable: {e}",
                        index + 1
                    ))
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_nodelay(true);
        // The client's builder only lets plain HTTP through for loopback addresses.
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(ProxyConnector::new(http, config.proxy.matcher()?));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            // Answers are a few kilobytes: read them 4 KiB at a time rather than through 8 KiB
            // buffers that grow, which a thousand calls in flight each hold.
            .http1_read_buf_exact_size(4096)
            .build(https);
        Ok(Transport {
            client,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// GETs `uri` and reads the whole answer (the caller bounds the time it may take).
    pub async fn get(&self, uri: &http::Uri) -> Result<HttpResponse, Error> {
        let request = http::Request::get(uri.clone())
            .header(
                "user-agent",
                concat!("sips-wallet/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(Bytes::new()))
            .map_err(|e| Error::Config(format!("cannot build the HTTP request: {e}")))?;
        self.send(uri, request).await
    }

    /// POSTs `body` and reads the whole answer (the caller bounds the time it may take).
    pub async fn post(
        &self,
        uri: &http::Uri,
        headers: http::HeaderMap,
        body: Bytes,
    ) -> Result<HttpResponse, Error> {
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        self.send(uri, request).await
    }

    async fn send(
        &self,
        uri: &http::Uri,
        request: http::Request<Full<Bytes>>,
    ) -> Result<HttpResponse, Error> {
        let response = self.client.request(request).await.map_err(|e| {
            if e.is_connect() && refused_certificate(&e) {
                Error::Certificate {
                    uri: uri.to_string(),
                    source: Box::new(e),
                }
            } else if e.is_connect() {
                Error::Connect {
                    uri: uri.to_string(),
                    source: Box::new(e),
                }
            } else {
                Error::Transport {
                    source: Box::new(e),
                }
            }
        })?;
        let status = response.status().as_u16();
        let (mut head, body) = response.into_parts();
        let content_type = head.headers.remove(http::header::CONTENT_TYPE);
        let body = Limited::new(body, self.max_response_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Error::BodyTooLarge {
                        limit: self.max_response_bytes,
                    }
                } else {
                    Error::Transport { source: e }
                }
            })?
            .to_bytes();
        Ok(HttpResponse {
            status,
            content_type,
            body,
        })
    }
}

/// Whether rustls refused the server's certificate, somewhere in `error`'s sources. tokio-rustls
/// hands it over inside an `io::Error`, which may sit inside another, and an `io::Error`'s
/// `source()` skips the error it wraps: those are opened with `get_ref`.
fn refused_certificate(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if matches!(
            error.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
        ) {
            return true;
        }
        next = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    false
}

/// The certificates of one trusted root given to the builder: PEM (one or more) or DER.
fn certificates(given: &[u8], index: usize) -> Result<Vec<CertificateDer<'static>>, Error> {
    use rustls_pki_types::pem::PemObject;
    let is_pem = given.trim_ascii_start().starts_with(b"-----BEGIN");
    if !is_pem {
        return Ok(vec![CertificateDer::from(given.to_vec())]);
    }
    let found = CertificateDer::pem_slice_iter(given)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config(format!("trusted certificate #{}: bad PEM: {e}", index + 1)))?;
    if found.is_empty() {
        return Err(Error::Config(format!(
            "trusted certificate #{}: the PEM holds no CERTIFICATE block",
            index + 1
        )));
    }
    Ok(found)
}
