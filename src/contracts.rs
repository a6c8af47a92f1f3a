//! The contracts this crate was built with, the wallet's and In-App's, as one: every operation,
//! one by name or by what it does, a typed visit to one picked at run time, the version that
//! introduced a field. Whatever picks an operation at run time (the client's calls by name,
//! settling, the simulator, the CLI, the tour) goes through here and the operation tables, never
//! through generated type names: a vendor's WSDL can replace ours.

use crate::effect::Effect;
use crate::message::{DynOperation, OperationInfo, OperationVisitor, Version};
use crate::seal::Value;
use crate::{contract, inapp};

/// Runs `visitor` with the typed operation `info` describes, from whichever contract has it.
pub fn visit<V: OperationVisitor>(info: &OperationInfo, visitor: V) -> Option<V::Output> {
    if inapp::OPERATIONS.iter().any(|o| o.info() == info) {
        inapp::with_request_element(info.request_element, visitor)
    } else {
        contract::with_request_element(info.request_element, visitor)
    }
}

/// The payment means of a getWalletData answer read as a tree, whether the contract lists them
/// directly or wraps the list in an element of its own (the data dictionary's field name).
pub fn payment_means(response: &Value) -> &[Value] {
    match response.get("walletPaymentMeanDataList") {
        Some(Value::List(means)) => means,
        Some(Value::Object(fields)) => match fields.as_slice() {
            [(_, Value::List(means))] => means,
            _ => &[],
        },
        _ => &[],
    }
}

/// Every operation of the contracts this crate was built with (the wallet's, then In-App's).
pub fn operations() -> impl Iterator<Item = &'static dyn DynOperation> {
    contract::OPERATIONS
        .iter()
        .chain(inapp::OPERATIONS)
        .copied()
}

/// The operation named `name` (its WSDL name) in the contracts this crate was built with.
pub fn operation(name: &str) -> Option<&'static dyn DynOperation> {
    operations().find(|o| o.info().name == name)
}

/// The operation that reads a whole wallet (the sidecar's `reads-wallet`): the reading that
/// settles a change.
pub fn wallet_reading() -> Option<&'static dyn DynOperation> {
    operations().find(|o| o.info().effect == Effect::ReadsWallet)
}

/// The interface version that introduced the wallet contract's field `name`, in whichever message
/// type has it (the sidecar dates fields by name).
pub fn field_since(name: &str) -> Option<Version> {
    contract::TYPES
        .iter()
        .flat_map(|(_, fields)| fields.iter())
        .find(|field| field.name == name)
        .and_then(|field| field.since)
}
