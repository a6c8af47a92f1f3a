//! Sips In-App (`paymentTokenInitialize`), generated at build time from `wsdl/inapp.wsdl` and
//! `wsdl/inapp.xsd`. JSON only: the client posts the request type as a JSON body to the operation's
//! `http_location` and reads the response type from JSON, sealed like the wallet messages.
//! [`WalletClient::payment_token_initialize`](crate::WalletClient::payment_token_initialize) is
//! generated in the client's own file.

#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/inapp.rs"));
