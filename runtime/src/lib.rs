//! The runtime below `sips-wallet`'s generated code: everything a Sips message needs that is not
//! the network. Its floors only look down:
//!
//! | floor | modules |
//! |---|---|
//! | 5 | [`envelope`] (SOAP 1.1 framing), [`json`] (JSON framing), [`validate`] (request checks), [`typed`] (typed readings of fields) |
//! | 4 | [`message`]: the traits and metadata generated messages and operations implement |
//! | 3 | [`xml`]: the bounded XML reader and writer, with their own errors |
//! | 2 | [`seal`]: the seal and the sealed [`seal::Value`] |
//! | 1 | [`mask`]: card numbers masked, for every place text leaves; [`effect`]: what operations do to wallets, and how a reading shows what was sent |
//! | 0 | [`protocol`]: the protocol's constants; [`files`]: files a user names, read bounded; [`text`]: a field's text, inline when short |
//!
//! No tokio, hyper or client type is here: `sips-wallet` builds its transport and client on top,
//! and its generated code names this crate by one path (`use ::sips_wallet_runtime as runtime;`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod effect;
pub mod envelope;
pub mod files;
pub mod json;
pub mod mask;
pub mod message;
pub mod protocol;
pub mod seal;
pub mod text;
pub mod typed;
pub mod validate;
pub mod xml;
