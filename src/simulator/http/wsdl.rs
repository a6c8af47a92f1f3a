//! The contract the simulator publishes at `?wsdl` and `?xsd=NAME`: its own (or the folder it was
//! given), pointing at itself.

use crate::contract;
use crate::simulator::state::Shared;

/// A document of the published contract for `?wsdl` or `?xsd=NAME`: the WSDL with its address
/// pointing here, every `schemaLocation` pointing at `wallet?xsd=NAME` here.
pub(super) fn published(shared: &Shared, query: &str) -> Option<String> {
    let built_in: Vec<(&str, &str)>;
    let files: Vec<(&str, &str)> = match &shared.config.published {
        Some(files) => files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect(),
        None => {
            built_in = contract::WALLET_CONTRACT_FILES.to_vec();
            built_in
        }
    };
    let text = match query {
        "wsdl" => {
            let (_, wsdl) = files
                .iter()
                .find(|(n, _)| *n == "wallet.wsdl")
                .or_else(|| files.iter().find(|(n, _)| n.ends_with(".wsdl")))?;
            let own_address = format!("{}{}", shared.base_url, crate::protocol::WALLET_PATH);
            match contract::SERVICE_ADDRESS {
                Some(address) => wsdl.replace(address, &own_address),
                None => wsdl.to_string(),
            }
        }
        _ => {
            let name = query.strip_prefix("xsd=")?;
            let with_suffix = format!("{name}.xsd");
            files
                .iter()
                .find(|(n, _)| n.ends_with(".xsd") && (*n == name || *n == with_suffix))?
                .1
                .to_string()
        }
    };
    Some(point_schema_locations_here(&text))
}

/// `schemaLocation="…/x.xsd"` (relative, or absolute as CXF writes it) → `schemaLocation="wallet?xsd=x.xsd"`.
fn point_schema_locations_here(text: &str) -> String {
    const ATTRIBUTE: &str = "schemaLocation=\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value_start = at + ATTRIBUTE.len();
        let Some(length) = rest[value_start..].find('"') else {
            break;
        };
        let location = &rest[value_start..value_start + length];
        let name = location.rsplit(['/', '=']).next().unwrap_or(location);
        out.push_str(&rest[..value_start]);
        out.push_str("wallet?xsd=");
        out.push_str(name);
        rest = &rest[value_start + length..];
    }
    out.push_str(rest);
    out
}
