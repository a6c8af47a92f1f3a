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
    #[error("expected <{expected}>, found <{found}>")]
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
    #[error("<{found}> inside <{parent}> is not in the contract's namespace")]
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
    /// The document declares an encoding this crate does not read.
    #[error("the document is encoded in {encoding}, which is not read here (UTF-8 or ISO-8859-1)")]
    Encoding {
        /// The declared encoding (cut, masked).
        encoding: String,
    },
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
