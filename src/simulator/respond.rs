//! The bank's answer to one request, read once: the scenario's rule for it decided, the checks
//! made, the function run in one transaction, the answer sealed with the merchant's key.

use super::checks::{check, Verdict};
use super::faults::Fault;
use super::functions::{code_of, perform, put_mean, set_code, set_field, shown_at, ONE_MEAN_FIELD};
use super::scenario::{Call, Drop, Effect};
use super::state::Shared;
use super::store::Refusal;
use crate::contract;
use crate::mask::Secrets;
use crate::message::{Message, Operation};
use crate::seal::{self, Algorithm, SecretKey};

/// One line of the request log: never a card number.
#[derive(Debug, Default)]
pub(super) struct CallLog {
    pub(super) operation: &'static str,
    pub(super) merchant: String,
    pub(super) wallet: String,
    pub(super) code: String,
}

/// Checks, runs and fills in the response; the key to seal it with.
fn fill<'a, M: Message, R: Message>(
    shared: &'a Shared,
    operation: &str,
    request: &M,
    forced: Option<&str>,
    response: &mut R,
) -> Option<(Algorithm, &'a SecretKey)> {
    let (merchant, algorithm) = match check(shared, request) {
        Verdict::Pass(merchant, algorithm) => (merchant, algorithm),
        Verdict::Refuse {
            code,
            field,
            seal_with,
        } => {
            set_code(response, code);
            if !field.is_empty() {
                set_field(response, "errorFieldName", &field);
                set_field(
                    response,
                    "redirectionStatusMessage",
                    &format!("invalid field: {field}"),
                );
            }
            return seal_with;
        }
    };
    let seal_with = Some((algorithm, &merchant.key));
    if let Some(code) = forced {
        // A scenario's answer or the fail rate's 99: the function is not run.
        set_code(response, code);
        return seal_with;
    }
    // Committed before the answer is written: a 00 is never lost by a crash. (A wallet's means
    // go into the response as they are read.)
    let outcome = shared.store.transaction(|wallets| {
        perform(shared, operation, request, wallets, &merchant.id, response)
    });
    let bank = shared.bank();
    match outcome {
        Ok(Ok(effects)) => {
            set_code(response, "00");
            let shows = shown_at(bank, request);
            for (field, value) in &effects.fields {
                if shows(field) {
                    set_field(response, field, value);
                }
            }
            if let Some(mean) = &effects.one_mean {
                put_mean(response, ONE_MEAN_FIELD, mean.view(), &shows);
            }
        }
        Ok(Err(Refusal::Unknown)) => set_code(response, bank.code_for_unknown()),
        Ok(Err(refusal)) => set_code(response, refusal.code()),
        Err(error) => {
            tracing::error!(%error, operation, "the state could not be read or written: answered 99");
            // Nothing read before the failure is shown.
            *response = R::default();
            set_code(response, "99");
        }
    }
    seal_with
}

/// The sealed response to a request, read once: the seal is checked over the typed request. The
/// scenario's rule for the call, if any, says what else happens.
pub(super) fn respond<O: Operation>(
    shared: &Shared,
    request: &O::Request,
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> (O::Response, Effect, CallLog) {
    let call = Call {
        operation: O::INFO.name,
        merchant: request.text("merchantId"),
        wallet: request.text("merchantWalletId"),
        card: request.text("cardNumber"),
        number,
    };
    let effect = match decided {
        Some(effect) => effect.clone(),
        None => shared.decide(&call),
    };
    let forced = match &effect.answer {
        Some(code) => Some(code.as_str()),
        None if failing => Some("99"),
        None if effect.fault == Some(Fault::Unsealed00) => Some("00"),
        None => None,
    };
    let mut response = O::Response::default();
    // Closed before anything is applied, or a fault the function does not run for, or a function
    // deferred to a second pass (`decided`): nothing runs now.
    let deferred = decided.is_none() && !effect.commit_delay.is_zero();
    let skipped = deferred
        || effect.drop == Drop::Before
        || effect
            .fault
            .is_some_and(|f| !f.runs_the_function() && f != Fault::Unsealed00);
    let seal_with = if skipped {
        None
    } else {
        fill(shared, O::INFO.name, request, forced, &mut response)
    };
    match (seal_with, effect.fault) {
        (_, Some(Fault::Unsealed00)) => {}
        (Some((algorithm, key)), fault) => {
            let mut seal = seal::compute(algorithm, key, &response.seal_data());
            if fault == Some(Fault::WrongSeal) {
                // The seal of other content: one hex digit changed.
                let last = if seal.ends_with('0') { "1" } else { "0" };
                seal.replace_range(seal.len() - 1.., last);
            }
            set_field(&mut response, "seal", &seal);
        }
        (None, _) => {}
    }
    let secrets = Secrets::of_fields(contract::SENSITIVE_FIELDS, |field| request.text(field));
    let log = CallLog {
        operation: O::INFO.name,
        // Both came from the request: free text a client may fill with anything, the request's own
        // card number or IBAN included; cut, so that the call list stays small.
        merchant: secrets.shown(call.merchant.unwrap_or_default()),
        wallet: secrets.shown(call.wallet.unwrap_or_default()),
        code: code_of(&response).unwrap_or_default().to_string(),
    };
    (response, effect, log)
}
