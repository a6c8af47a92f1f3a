//! One async method per operation, generated at build time from the contracts (`wsdl/`) in files
//! of their own: the contracts themselves depend on no client.

include!(concat!(env!("OUT_DIR"), "/wallet_client.rs"));
include!(concat!(env!("OUT_DIR"), "/inapp_client.rs"));
