//! The contract as a service publishes it: its `?wsdl` and every schema that imports, fetched with
//! the same transport as calls (proxies from the environment, webpki roots, size cap), for the
//! `sips-wallet contract check` drift report.

use std::time::Duration;

use quick_xml::events::Event;

use crate::client::environment::endpoint;
use crate::protocol::WALLET_PATH;
use crate::proxy::ProxySetting;
use crate::transport::{RootStore, Transport, TransportConfig};
use crate::Error;

/// At most this many documents (the WSDL and its schemas): a contract imports a handful.
const MAX_DOCUMENTS: usize = 16;

/// Fetches `<base_url>/services/v2/wallet?wsdl` and the schemas it imports (recursively), as
/// `(file name, text)` pairs: the WSDL as `wallet.wsdl`, each schema under the name its
/// `schemaLocation` ends with (`…?xsd=wallet.xsd` → `wallet.xsd`), as the generator looks them up.
pub async fn fetch(base_url: &str, timeout: Duration) -> Result<Vec<(String, String)>, Error> {
    let transport = Transport::new(&TransportConfig {
        connect_timeout: Duration::from_secs(10),
        timeout,
        max_response_bytes: 4 << 20,
        root_store: RootStore::WebPki,
        extra_roots: Vec::new(),
        proxy: ProxySetting::FromEnv,
    })?;
    let wsdl = endpoint(base_url, &format!("{WALLET_PATH}?wsdl"))?;
    tokio::time::timeout(timeout, fetch_all(&transport, wsdl))
        .await
        .unwrap_or(Err(Error::Timeout(timeout)))
}

async fn fetch_all(transport: &Transport, wsdl: http::Uri) -> Result<Vec<(String, String)>, Error> {
    let mut files = Vec::new();
    let mut seen = vec![wsdl.to_string()];
    let mut names = vec!["wallet.wsdl".to_string()];
    let mut queue = vec![("wallet.wsdl".to_string(), wsdl.clone())];
    while let Some((name, uri)) = queue.pop() {
        let response = transport.get(&uri).await?;
        if response.status != 200 {
            return Err(Error::Config(format!(
                "GET {uri} answered HTTP {}: is this a Sips wallet endpoint?",
                response.status
            )));
        }
        let text = String::from_utf8(response.body.to_vec())
            .map_err(|_| Error::Config(format!("GET {uri}: the document is not UTF-8")))?;
        for location in schema_locations(&text) {
            let resolved = resolve(&uri, &location)?;
            if !same_origin(&resolved, &wsdl) {
                return Err(Error::Config(format!(
                    "schemaLocation \"{}\" is not at the WSDL's origin ({}): not fetched; save the contract and use --file if it is meant",
                    crate::mask::from_outside(&location),
                    origin(&wsdl)
                )));
            }
            if seen.contains(&resolved.to_string()) {
                continue;
            }
            if seen.len() >= MAX_DOCUMENTS {
                return Err(Error::Config(format!(
                    "the contract imports more than {MAX_DOCUMENTS} documents"
                )));
            }
            let local = local_name(&location);
            if names.contains(&local) {
                return Err(Error::Config(format!(
                    "two imports are both known as {local} (the second is \"{}\"): one would hide the other",
                    crate::mask::from_outside(&location)
                )));
            }
            names.push(local.clone());
            seen.push(resolved.to_string());
            queue.push((local, resolved));
        }
        files.push((name, text));
    }
    Ok(files)
}

/// Every `schemaLocation` attribute's value in a document.
fn schema_locations(text: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for attribute in e.attributes().flatten() {
                    if attribute.key.local_name().as_ref() == b"schemaLocation" {
                        if let Ok(value) = attribute.unescape_value() {
                            found.push(value.into_owned());
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return found,
            _ => {}
        }
    }
}

/// Scheme, host and port: only documents at the WSDL's own origin are fetched, so a contract
/// cannot point the checker at another service (an internal admin page, another port).
fn origin(uri: &http::Uri) -> String {
    format!(
        "{}://{}:{}",
        uri.scheme_str().unwrap_or_default(),
        uri.host().unwrap_or_default(),
        port(uri)
    )
}

fn port(uri: &http::Uri) -> u16 {
    uri.port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        })
}

fn same_origin(a: &http::Uri, b: &http::Uri) -> bool {
    a.scheme_str() == b.scheme_str()
        && a.host().map(str::to_ascii_lowercase) == b.host().map(str::to_ascii_lowercase)
        && port(a) == port(b)
}

/// A location relative to the document that names it.
fn resolve(document: &http::Uri, location: &str) -> Result<http::Uri, Error> {
    let text = if location.contains("://") {
        location.to_string()
    } else {
        let full = document.to_string();
        let without_query = full.split('?').next().unwrap_or(&full);
        let folder = &without_query[..without_query.rfind('/').map_or(0, |i| i + 1)];
        format!("{folder}{location}")
    };
    text.parse()
        .map_err(|_| Error::Config(format!("schemaLocation \"{location}\" is not a usable URL")))
}

/// The file name a schema is known by: what its location ends with, `.xsd` added if missing.
fn local_name(location: &str) -> String {
    let last = location.rsplit(['/', '=']).next().unwrap_or(location);
    if last.ends_with(".xsd") {
        last.to_string()
    } else {
        format!("{last}.xsd")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_document_and_name_local_files() {
        let wsdl: http::Uri = "http://127.0.0.1:7070/services/v2/wallet?wsdl"
            .parse()
            .unwrap();
        assert_eq!(
            resolve(&wsdl, "wallet?xsd=wallet.xsd").unwrap().to_string(),
            "http://127.0.0.1:7070/services/v2/wallet?xsd=wallet.xsd"
        );
        assert_eq!(
            resolve(&wsdl, "https://bank.example/s?xsd=1")
                .unwrap()
                .to_string(),
            "https://bank.example/s?xsd=1"
        );
        assert_eq!(local_name("wallet?xsd=wallet.xsd"), "wallet.xsd");
        let other_port: http::Uri = "http://127.0.0.1:7071/internal/admin?token=1"
            .parse()
            .unwrap();
        assert!(!same_origin(&other_port, &wsdl));
        let same: http::Uri = "HTTP://127.0.0.1:7070/x.xsd".parse().unwrap();
        assert!(same_origin(&same, &wsdl));
        let https: http::Uri = "https://bank.example/a".parse().unwrap();
        let https_443: http::Uri = "https://bank.example:443/b".parse().unwrap();
        assert!(same_origin(&https, &https_443));
        assert_eq!(local_name("https://bank.example/s?xsd=1"), "1.xsd");
        let found = schema_locations(
            r#"<d><xs:import xmlns:xs="x" schemaLocation="a.xsd"/><i schemaLocation="b?xsd=c.xsd"/></d>"#,
        );
        assert_eq!(found, ["a.xsd", "b?xsd=c.xsd"]);
    }
}
