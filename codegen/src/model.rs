//! What the generator understands of a contract, independent of XML and of Rust.

/// A parsed WSDL and its schemas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contract {
    /// The target namespace of the messages (`urn:sips:cn:contract:office:wallet:v2`).
    pub namespace: String,
    /// Named complex types, in document order.
    pub types: Vec<ComplexType>,
    /// Named simple types restricted to a list of values.
    pub enums: Vec<EnumType>,
    /// Top-level elements with an anonymous type holding one child (document/literal wrapped).
    pub wrappers: Vec<Wrapper>,
    /// The operations of the first SOAP 1.1 or HTTP binding, in portType order.
    pub operations: Vec<Operation>,
    /// `soap:address` (or `http:address`) of the first port, if any.
    pub service_address: Option<String>,
    /// The `wsdl:service` name (`WalletService`), else the portType's: how the calls are named in
    /// traces and metrics (`WalletService/addCard`).
    pub service_name: String,
    /// Whether the message schema's local elements are namespace-qualified
    /// (`elementFormDefault="qualified"`; XSD's default, and so an absent attribute, is not).
    pub qualified: bool,
    /// How a wallet reading shows a change's request fields (the sidecar's `[shown-as]`).
    pub shown_as: Vec<ShownAs>,
}

/// One `[shown-as]` line: the request field, the payment-mean entry's field showing it, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownAs {
    pub request_field: String,
    pub reading_field: String,
    pub shown: sips_wallet_runtime::effect::Shown,
}

/// A named `xs:complexType`, with the fields of its base types flattened in front.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplexType {
    pub name: String,
    pub documentation: String,
    pub is_abstract: bool,
    pub fields: Vec<Field>,
}

/// One element of a type's sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The XML local name (`merchantWalletId`).
    pub name: String,
    pub ty: FieldType,
    pub occurs: Occurs,
    pub documentation: String,
    /// The interface version that introduced the field, read from "Interface version: X.Y".
    pub since: Option<(u16, u16)>,
    /// For a text field, the XSD built-in type behind it (`string`, `int`, `dateTime`…), when the
    /// schema names one: what a drift check compares.
    pub builtin: Option<String>,
    /// For a text field, the facets restricting it (`maxLength` → `21`, `pattern` → `[0-9]+`), by
    /// name, from its named simple type or its anonymous one: what a drift check compares.
    pub facets: Vec<Facet>,
}

/// One facet of a simple type's restriction, other than an enumeration: `maxLength="21"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Facet {
    /// `length`, `minLength`, `maxLength`, `pattern`, `totalDigits`, `fractionDigits`,
    /// `minInclusive`, `maxInclusive`, `minExclusive`, `maxExclusive` or `whiteSpace`.
    pub name: String,
    /// Its `value`.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Any built-in simple type: kept as the text that travels (the seal is over that text).
    Text,
    /// A named enumeration.
    Enum(String),
    /// A named complex type.
    Complex(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    Required,
    Optional,
    Repeated,
}

/// A named simple type with `xs:enumeration` facets.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub name: String,
    pub documentation: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub value: String,
    pub documentation: String,
}

/// `<xs:element name="signOff"><xs:complexType><xs:sequence><xs:element name="input" type="tns:SignOffRequest"/>`
#[derive(Debug, Clone, PartialEq)]
pub struct Wrapper {
    pub element: String,
    pub child: String,
    pub child_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub name: String,
    pub documentation: String,
    pub soap_action: String,
    /// For an HTTP (JSON) binding: the path the body is posted to. `None` for SOAP.
    pub http_location: Option<String>,
    /// Wrapper element of the request (`signOff`).
    pub input_element: String,
    /// Wrapper element of the response (`signOffResponse`).
    pub output_element: String,
    /// Read from "Recommended interfaceVersion: X" in the operation's documentation.
    pub recommended_interface_version: Option<String>,
    /// What it does to the wallets (the sidecar's `[effects]`).
    pub effect: sips_wallet_runtime::effect::Effect,
}

impl Contract {
    pub fn complex_type(&self, name: &str) -> Option<&ComplexType> {
        self.types.iter().find(|t| t.name == name)
    }

    pub fn wrapper(&self, element: &str) -> Option<&Wrapper> {
        self.wrappers.iter().find(|w| w.element == element)
    }
}

/// Reads "Interface version: 2.31" out of a field's documentation.
pub fn parse_since(documentation: &str) -> Option<(u16, u16)> {
    let rest = documentation
        .split("Interface version:")
        .nth(1)?
        .trim_start();
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = token.trim_end_matches('.').splitn(2, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// Reads "Recommended interfaceVersion: WR_WS_2.55" out of an operation's documentation.
pub fn parse_recommended_version(documentation: &str) -> Option<String> {
    let rest = documentation
        .split("Recommended interfaceVersion:")
        .nth(1)?
        .trim_start();
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let token = token.trim_end_matches('.');
    (!token.is_empty()).then(|| token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_read_from_documentation() {
        assert_eq!(
            parse_since("Card type. Interface version: 2.31."),
            Some((2, 31))
        );
        assert_eq!(parse_since("Interface version: 2.0"), Some((2, 0)));
        assert_eq!(parse_since("Interface version: 1"), Some((1, 0)));
        assert_eq!(parse_since("No version here."), None);
    }

    #[test]
    fn recommended_version_is_read_from_documentation() {
        assert_eq!(
            parse_recommended_version("Removes a wallet. Recommended interfaceVersion: WR_WS_2.51"),
            Some("WR_WS_2.51".into())
        );
        assert_eq!(
            parse_recommended_version("Recommended interfaceVersion: IR_MB_2.55."),
            Some("IR_MB_2.55".into())
        );
        assert_eq!(parse_recommended_version("nothing"), None);
    }
}
