//! HTTPS for the simulator: a certificate for 127.0.0.1, ::1 and localhost made at start (or the
//! operator's own), HTTP/1.1 and HTTP/2 offered by ALPN, so a client's TLS path (roots, ALPN,
//! HTTP/2) can be exercised against it.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;

use crate::simulator::{StartError, Tls};

/// The acceptor, and the certificate (PEM) a client must trust.
pub(in crate::simulator) fn acceptor(
    tls: &Tls,
) -> Result<(tokio_rustls::TlsAcceptor, String), StartError> {
    let bad = |what: String| StartError::Tls(what);
    let (certificate_pem, key_pem) = match tls {
        Tls::SelfSigned => {
            let made = rcgen::generate_simple_self_signed(vec![
                "localhost".into(),
                "127.0.0.1".into(),
                "::1".into(),
            ])
            .map_err(|e| bad(format!("cannot make a certificate: {e}")))?;
            (made.cert.pem(), made.signing_key.serialize_pem())
        }
        Tls::Given {
            certificate_pem,
            key_pem,
        } => (certificate_pem.clone(), key_pem.clone()),
    };
    let chain = CertificateDer::pem_slice_iter(certificate_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("the certificate is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(bad("no certificate in the PEM given".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| bad(format!("the private key is not PEM: {e}")))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| bad(format!("the certificate and key do not go together: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        certificate_pem,
    ))
}
