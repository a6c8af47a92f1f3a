//! What can go wrong reading a message: the reader's limits, XML that is not well-formed, or a
//! document that is not the shape a SOAP message of the contract has.

/// Why a message could not be read: the reader's limits, XML that is not well-formed, or a
/// document that is not the shape a SOAP message of the contract has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not well-formed XML.
    #[error("malformed XML near byte {position}: {message}")]
    Malformed {
        /// Byte offset where reading stopped.
        position: u64,
        /// The parser's message.
        message: String,
    },
    /// The document declares a DOCTYPE, which could declare entities: refused.
    #[error("the document has a DOCTYPE declaration, which is not accepted (entities are never expanded)")]
    Doctype,
    /// The root element is not a SOAP 1.1 `Envelope`.
    #[error("expected a SOAP 1.1 Envelope, found <{found}>")]
    NotAnEnvelope {
        /// `{namespace}name` of the root element.
        found: String,
    },
    /// The envelope has no `Body`.
    #[error("the SOAP envelope has no Body")]
    MissingBody,
    /// `Body` holds no element.
    #[error("the SOAP Body is empty")]
    EmptyBody,
    /// An element is not the one expected there.
    #[error(
        "expected <{expected}>, found <{found}>{}",
        namespace_hint(expected, found)
    )]
    UnexpectedElement {
        /// `{namespace}name` expected.
        expected: String,
        /// `{namespace}name` found.
        found: String,
    },
    /// A second element where the message has room for one (a second element in Body, a second
    /// `output`, anything after Body).
    #[error("<{parent}> holds a second element <{found}> where there is room for one")]
    SecondElement {
        /// The element holding it.
        parent: String,
        /// `{namespace}name` of the extra element.
        found: String,
    },
    /// A field that may appear once appears again.
    #[error("field `{field}` appears more than once")]
    RepeatedField {
        /// The field's name.
        field: String,
    },
    /// An element inside a message is not in the contract's namespace.
    #[error(
        "<{found}> inside <{parent}> is not in the contract's namespace{}",
        namespace_hint("", found)
    )]
    ForeignElement {
        /// The element holding it.
        parent: String,
        /// `{namespace}name` of the element.
        found: String,
    },
    /// An element holding child elements also holds text.
    #[error("<{element}> mixes text with elements")]
    MixedContent {
        /// The element.
        element: String,
    },
    /// A text field holds an element: a shape the contract does not describe.
    #[error("field `{field}` holds an element <{found}> where the contract expects text: the service's WSDL is not the one this client was built from (a list wrapped in an element of its own?); compare them with `sips-wallet contract check`, and build with the service's WSDL by setting SIPS_WALLET_WSDL_DIR to its folder")]
    ElementInText {
        /// The field.
        field: String,
        /// The element found in it.
        found: String,
    },
    /// Elements nest deeper than the limit.
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More elements than the limit.
    #[error("the document has more than {limit} elements")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// More namespace declarations in scope than the limit.
    #[error("more than {limit} namespace declarations in scope")]
    TooManyNamespaces {
        /// The limit.
        limit: usize,
    },
    /// An element with more attributes than the limit.
    #[error("an element has more than {limit} attributes")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
    },
    /// The document declares an encoding this crate does not know.
    #[error("the document declares the encoding {encoding}, which is not one this crate knows (the WHATWG encodings: UTF-8, ISO-8859-1, windows-1252…)")]
    Encoding {
        /// The declared encoding (cut, masked).
        encoding: String,
    },
    /// The HTTP header and the XML declaration name two different encodings.
    #[error("the Content-Type says charset={header} but the XML declaration says encoding=\"{declaration}\": send one encoding, named the same in both")]
    EncodingMismatch {
        /// The header's charset (cut, masked).
        header: String,
        /// The declaration's encoding (cut, masked).
        declaration: String,
    },
    /// The bytes are not valid in the encoding they declare.
    #[error("the document is not valid {encoding}")]
    NotInEncoding {
        /// The encoding's name.
        encoding: String,
    },
}

/// When an element was expected in one namespace and found in another (or in none) under the same
/// name, what that says about the service: its contract is not the one this client was built from.
fn namespace_hint(expected: &str, found: &str) -> String {
    let split = |name: &str| -> (String, String) {
        match name.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
            Some((namespace, local)) => (namespace.to_string(), local.to_string()),
            None => (String::new(), name.to_string()),
        }
    };
    let (expected_ns, expected_local) = split(expected);
    let (found_ns, found_local) = split(found);
    let moved_element =
        !expected.is_empty() && expected_local == found_local && expected_ns != found_ns;
    // Without an expectation (an element among fields), only one in no namespace says as much.
    let unqualified_field = expected.is_empty() && found_ns.is_empty();
    if !moved_element && !unqualified_field {
        return String::new();
    }
    let where_found = if found_ns.is_empty() {
        "in no namespace (its schema's elementFormDefault is \"unqualified\")".to_string()
    } else {
        format!("in the namespace {found_ns}")
    };
    format!(
        ": the service writes its elements {where_found}, so its WSDL is not the one this client \
         was built from; compare them with `sips-wallet contract check`, and build with the \
         service's WSDL by setting SIPS_WALLET_WSDL_DIR to its folder"
    )
}

impl DecodeError {
    /// The same error, every text it quotes from the document masked by `secrets` too (the card
    /// numbers and IBANs of the call it answers, by value): each was masked by pattern when read.
    pub fn masked_by(self, secrets: &crate::mask::Secrets) -> DecodeError {
        let m = |text: String| secrets.mask(&text).into_owned();
        match self {
            DecodeError::Malformed { position, message } => DecodeError::Malformed {
                position,
                message: m(message),
            },
            DecodeError::NotAnEnvelope { found } => DecodeError::NotAnEnvelope { found: m(found) },
            DecodeError::UnexpectedElement { expected, found } => DecodeError::UnexpectedElement {
                expected,
                found: m(found),
            },
            DecodeError::SecondElement { parent, found } => DecodeError::SecondElement {
                parent: m(parent),
                found: m(found),
            },
            DecodeError::RepeatedField { field } => DecodeError::RepeatedField { field: m(field) },
            DecodeError::ForeignElement { parent, found } => DecodeError::ForeignElement {
                parent: m(parent),
                found: m(found),
            },
            DecodeError::MixedContent { element } => DecodeError::MixedContent {
                element: m(element),
            },
            DecodeError::ElementInText { field, found } => DecodeError::ElementInText {
                field: m(field),
                found: m(found),
            },
            DecodeError::Encoding { encoding } => DecodeError::Encoding {
                encoding: m(encoding),
            },
            DecodeError::EncodingMismatch {
                header,
                declaration,
            } => DecodeError::EncodingMismatch {
                header: m(header),
                declaration: m(declaration),
            },
            DecodeError::NotInEncoding { encoding } => DecodeError::NotInEncoding { encoding },
            other @ (DecodeError::Doctype
            | DecodeError::MissingBody
            | DecodeError::EmptyBody
            | DecodeError::TooDeep { .. }
            | DecodeError::TooManyElements { .. }
            | DecodeError::TooManyNamespaces { .. }
            | DecodeError::TooManyAttributes { .. }) => other,
        }
    }
}
