//! The wallet functions, one place each: what addCard, addDirectDebit, updatePaymentMean,
//! deletePaymentMean, signOff, getWalletData, getPaymentMeanData and paymentTokenInitialize do to
//! the wallets and put in the answer, through the contract's field names.

use super::bank::Bank;
use super::state::Shared;
use super::store::{MeanView, Outcome, PaymentMean, Wallets};
use crate::contract;
use crate::mask::Secrets;
use crate::message::{Message, Version};
use crate::protocol::RESPONSE_CODE_FIELDS;

/// What a wallet function produced.
#[derive(Default)]
pub(super) struct Effects {
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) one_mean: Option<PaymentMean>,
}

/// What the wallet function `operation` does, in the transaction `wallets`.
pub(super) fn perform<M: Message, R: Message>(
    shared: &Shared,
    operation: &str,
    request: &M,
    wallets: &Wallets,
    merchant: &str,
    response: &mut R,
) -> Result<Outcome<Effects>, rusqlite::Error> {
    let get = |name: &str| request.text(name);
    let bank = shared.bank();
    let shows = shown_at(bank, request);
    let wallet = get("merchantWalletId").unwrap_or_default();
    let mean_id = get("paymentMeanId").unwrap_or_default();
    let now = wallets.now().to_string();
    let mut effects = Effects::default();
    match operation {
        "addCard" | "addDirectDebit" => {
            let alias = stored_alias(bank, request);
            let alias = alias.as_deref();
            let added = if operation == "addCard" {
                let card = get("cardNumber").unwrap_or_default();
                wallets.add_card(
                    merchant,
                    wallet,
                    card,
                    bank.mask_pan(card),
                    get("cardExpiryDate").unwrap_or_default(),
                    alias,
                    get("paymentMeanBrand"),
                )?
            } else {
                wallets.add_mandate(
                    merchant,
                    wallet,
                    get("iban").unwrap_or_default(),
                    get("mandateId").unwrap_or_default(),
                    alias,
                    get("paymentMeanBrand"),
                )?
            };
            let mean = match added {
                Ok(mean) => mean,
                Err(refusal) => return Ok(Err(refusal)),
            };
            effects.fields = vec![
                ("walletActionDateTime", now),
                ("paymentMeanId", mean.id.to_string()),
                ("maskedPan", mean.masked_pan),
            ];
        }
        "updatePaymentMean" => {
            let alias = stored_alias(bank, request);
            if let Err(refusal) = wallets.update(merchant, wallet, mean_id, alias.as_deref())? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "deletePaymentMean" => {
            if let Err(refusal) = wallets.delete(merchant, wallet, mean_id)? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "signOff" => {
            if let Err(refusal) = wallets.sign_off(merchant, wallet)? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "getWalletData" => {
            let read = wallets.wallet(merchant, wallet, |mean| {
                put_mean(response, MEAN_LIST_FIELD, mean, &shows)
            })?;
            let dates = match read {
                Ok(dates) => dates,
                Err(refusal) => return Ok(Err(refusal)),
            };
            effects.fields = vec![
                ("walletCreationDateTime", dates.created),
                ("walletLastActionDateTime", dates.last_action),
            ];
        }
        "getPaymentMeanData" => match wallets.payment_mean(merchant, wallet, mean_id)? {
            Ok(mean) => effects.one_mean = Some(mean),
            Err(refusal) => return Ok(Err(refusal)),
        },
        "paymentTokenInitialize" => {
            let token = format!("{:016x}", shared.random(|random| random.u64(..)));
            effects.fields = vec![
                (
                    "redirectionUrl",
                    format!("{}/inapp/{token}", shared.base_url),
                ),
                ("redirectionVersion", "1.0".into()),
                ("redirectionStatusMessage", "Token initialized".into()),
                ("publicKeyValue", shared.in_app_public_key.clone()),
            ];
        }
        // An operation added to the WSDL but not simulated: 99, the platform's "temporary problem".
        _ => {
            return Ok(Ok(Effects {
                fields: RESPONSE_CODE_FIELDS
                    .iter()
                    .map(|f| (*f, "99".into()))
                    .collect(),
                ..Effects::default()
            }))
        }
    }
    Ok(Ok(effects))
}

/// The alias a request gives, as the bank stores it: trimmed if it trims, and the request's own
/// card number or IBAN masked by value wherever the buyer spelled it there (the store masks the
/// rest by pattern).
fn stored_alias<M: Message>(bank: &Bank, request: &M) -> Option<String> {
    let alias = bank.stored_alias(request.text("paymentMeanAlias"))?;
    let secrets = Secrets::of_fields(contract::SENSITIVE_FIELDS, |field| request.text(field));
    Some(secrets.mask(alias).into_owned())
}

/// The contract's names for payment-mean data in responses: a list in getWalletData, one in
/// getPaymentMeanData (the data dictionary's names; a WSDL without them gets no means, and says so).
pub(super) const MEAN_LIST_FIELD: &str = "walletPaymentMeanDataList";
pub(super) const ONE_MEAN_FIELD: &str = "walletPaymentMeanData";

/// Which fields an answer to `request` shows: all, unless the bank leaves out those newer than the
/// request's interfaceVersion.
pub(super) fn shown_at<'b, M: Message>(bank: &'b Bank, request: &M) -> impl Fn(&str) -> bool + 'b {
    let version = request
        .text("interfaceVersion")
        .and_then(Version::of_interface_version);
    move |field: &str| bank.shows(field, version)
}

/// One payment mean into a response field, through the contract's field names (those `shows`
/// allows).
pub(super) fn put_mean<R: Message>(
    response: &mut R,
    field: &str,
    mean: MeanView<'_>,
    shows: &impl Fn(&str) -> bool,
) {
    let id = mean.id.to_string();
    let mut record = vec![
        ("paymentMeanId", id.as_str()),
        ("maskedPan", mean.masked_pan),
    ];
    if !mean.expiry.is_empty() {
        record.push(("panExpiryDate", mean.expiry));
    }
    if let Some(mandate) = mean.mandate_id {
        record.push(("mandateId", mandate));
    }
    if let Some(alias) = mean.alias {
        record.push(("paymentMeanAlias", alias));
    }
    if let Some(brand) = mean.brand {
        record.push(("paymentMeanBrand", brand));
    }
    record.retain(|(name, _)| shows(name));
    if let Err(error) = response.push_record(field, &record) {
        tracing::warn!(%error, "the contract cannot carry a payment mean here: left out");
    }
}

pub(super) fn set_field<M: Message>(message: &mut M, field: &str, value: &str) {
    // A field the response type lacks (a WSDL without it) is simply not sent.
    let _ = message.set_text(field, value);
}

/// Sets the response code, in whichever of the protocol's response code fields the message has
/// (`walletResponseCode` in the wallet's, `redirectionStatusCode` in In-App's).
pub(super) fn set_code<M: Message>(message: &mut M, code: &str) {
    for field in RESPONSE_CODE_FIELDS {
        set_field(message, field, code);
    }
}

/// The response code a message holds.
pub(super) fn code_of<M: Message>(message: &M) -> Option<&str> {
    RESPONSE_CODE_FIELDS
        .iter()
        .find_map(|field| message.text(field))
}
