//! The wallet contract, generated at build time from `wsdl/wallet.wsdl` and `wsdl/wallet.xsd`.
//!
//! One struct per schema type (with `yaserde` and `serde` derives and fluent setters), one open enum
//! per list of values (unknown values are kept in `Other`), the document/literal wrapper elements,
//! one marker type per operation in [`operations`], and [`OPERATIONS`] for picking one at run time.
//! It depends on the runtime only: the client's async methods
//! ([`WalletClient::add_card`](crate::WalletClient::add_card), …) are generated in a file of their
//! own, included by the client.

#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/wallet.rs"));

include!(concat!(env!("OUT_DIR"), "/contract_files.rs"));
