//! Where the service is and how its functions travel.

use crate::Error;

/// How wallet functions travel. In-App `paymentTokenInitialize` is JSON whatever the binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Binding {
    /// SOAP 1.1 envelopes to `/services/v2/wallet` (the default).
    #[default]
    Soap,
    /// JSON objects to `/rs-services/v2/wallet/<function>`: the same fields, seals and checks.
    Json,
}

/// The `Content-Type` of a SOAP request.
pub(crate) const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";
/// The `Content-Type` of a JSON request.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json";

/// Where the service is. Hosts from SIPS-FACTS §1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// Sogenactif (Société Générale), production.
    SogenactifProd,
    /// Sogenactif, test.
    SogenactifTest,
    /// Worldline Sips, production.
    SipsProd,
    /// Worldline Sips, test.
    SipsTest,
    /// Mercanet (BNP Paribas), production.
    MercanetProd,
    /// Mercanet, test.
    MercanetTest,
    /// Sherlock's (LCL), production.
    SherlocksProd,
    /// Any base URL (`https://host[:port]`); plain `http` only to a loopback address.
    Custom(String),
}

impl Environment {
    /// Every named environment with its CLI name.
    pub const NAMED: &'static [(&'static str, Environment)] = &[
        ("sogenactif-prod", Environment::SogenactifProd),
        ("sogenactif-test", Environment::SogenactifTest),
        ("sips-prod", Environment::SipsProd),
        ("sips-test", Environment::SipsTest),
        ("mercanet-prod", Environment::MercanetProd),
        ("mercanet-test", Environment::MercanetTest),
        ("sherlocks-prod", Environment::SherlocksProd),
    ];

    /// Looks an environment up by its CLI name (`sogenactif-test`).
    pub fn from_name(name: &str) -> Option<Environment> {
        Self::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.clone())
    }

    /// `scheme://host[:port]`.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::SogenactifProd => "https://office-server.sogenactif.com",
            Environment::SogenactifTest => {
                "https://office-server-sogenactif.test.sips-services.com"
            }
            Environment::SipsProd => "https://office-server.sips-services.com",
            Environment::SipsTest => "https://office-server.test.sips-services.com",
            Environment::MercanetProd => "https://office-server.mercanet.com",
            Environment::MercanetTest => "https://office-server-mercanet.test.sips-services.com",
            Environment::SherlocksProd => "https://sherlocks-office-server.secure.lcl.fr",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// Checks the scheme rule and joins a path to a base URL.
pub(crate) fn endpoint(base: &str, path: &str) -> Result<http::Uri, Error> {
    // Checked before anything shows the URL: a password in it must not reach an error text.
    let authority = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest.split('/').next().unwrap_or_default());
    if authority.contains('@') {
        return Err(Error::Config(
            "the base URL carries a user or password: the bank's URL has none (a proxy's \
             credentials go to WalletClientBuilder::proxy)"
                .into(),
        ));
    }
    let uri: http::Uri = format!("{}{path}", base.trim_end_matches('/'))
        .parse()
        .map_err(|e| Error::Config(format!("`{base}` is not a valid base URL: {e}")))?;
    // `http::Uri` takes any digits for a port and then has none: a port past 65535 (or 0) would
    // only fail when connecting.
    let port_given = authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.contains(']'));
    if port_given && uri.port_u16().is_none_or(|port| port == 0) {
        return Err(Error::Config(format!(
            "`{base}`: the port must be a number from 1 to 65535"
        )));
    }
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false);
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if loopback => Ok(uri),
        Some("http") => Err(Error::Config(format!(
            "`{base}`: plain HTTP is only allowed to a loopback address; use https"
        ))),
        _ => Err(Error::Config(format!(
            "`{base}`: the URL must start with https://"
        ))),
    }
}
