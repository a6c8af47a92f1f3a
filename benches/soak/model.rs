//! The model: what each wallet should hold, and the wallets a state file holds.

use std::collections::BTreeMap;
use std::path::Path;

use sips_wallet::contract::WalletPaymentMeanData;
use sips_wallet::mask::mask_pan;

use crate::{CARDS, WALLETS_PER_WORKER};

/// What the model says a payment mean is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mean {
    pub(crate) masked_pan: String,
    pub(crate) card: &'static str,
    pub(crate) expiry: String,
    pub(crate) alias: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Wallet {
    pub(crate) next: u32,
    pub(crate) means: BTreeMap<u32, Mean>,
}

pub(crate) type Model = BTreeMap<String, Wallet>;

/// Payment means by rank: masked PAN, expiry, alias.
pub(crate) type Means = BTreeMap<u32, (String, String, Option<String>)>;

pub(crate) fn means_of(list: &[WalletPaymentMeanData]) -> Means {
    list.iter()
        .map(|m| {
            (
                m.payment_mean_id
                    .as_deref()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0),
                (
                    m.masked_pan.as_deref().unwrap_or_default().to_string(),
                    m.pan_expiry_date.as_deref().unwrap_or_default().to_string(),
                    m.payment_mean_alias.as_deref().map(str::to_string),
                ),
            )
        })
        .collect()
}

pub(crate) fn model_means(wallet: &Wallet) -> Means {
    wallet
        .means
        .iter()
        .map(|(id, m)| {
            (
                *id,
                (m.masked_pan.clone(), m.expiry.clone(), m.alias.clone()),
            )
        })
        .collect()
}

pub(crate) fn wallet_ids(worker: usize) -> Vec<String> {
    (0..WALLETS_PER_WORKER)
        .map(|i| format!("SOAK-{worker:02}-{i:02}"))
        .collect()
}

/// The wallets in a state file, read with SQLite directly: next rank and payment means.
pub(crate) fn wallets_in(path: &Path) -> BTreeMap<String, (u32, Means)> {
    let db = rusqlite::Connection::open(path).expect("open the state");
    let mut out: BTreeMap<String, (u32, Means)> = BTreeMap::new();
    let mut wallets = db
        .prepare("SELECT wallet_id, next_mean FROM wallets")
        .expect("query");
    let rows = wallets
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
        .expect("wallets");
    for row in rows {
        let (id, next) = row.expect("row");
        out.insert(id, (next, Means::new()));
    }
    let mut means = db
        .prepare("SELECT wallet_id, mean_id, masked_pan, expiry, alias FROM payment_means")
        .expect("query");
    let rows = means
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                (r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })
        .expect("means");
    for row in rows {
        let (wallet, id, mean) = row.expect("row");
        out.entry(wallet).or_default().1.insert(id, mean);
    }
    out
}

/// Wallets as the model sees them, and as the database holds them, for comparing.
pub(crate) fn model_view(model: &Model) -> BTreeMap<String, (u32, Means)> {
    model
        .iter()
        .map(|(id, w)| (id.clone(), (w.next, model_means(w))))
        .collect()
}

/// Takes the stored state of a wallet whose last call's outcome is unknown.
pub(crate) fn adopt(model: &mut Model, id: &str, stored: Option<&(u32, Means)>) {
    let Some((next, stored)) = stored else {
        model.remove(id);
        return;
    };
    let means = stored
        .iter()
        .map(|(mean_id, (masked_pan, expiry, alias))| {
            let card = CARDS
                .iter()
                .find(|c| mask_pan(c) == *masked_pan)
                .copied()
                .unwrap_or("");
            let mean = Mean {
                masked_pan: masked_pan.clone(),
                card,
                expiry: expiry.clone(),
                alias: alias.clone(),
            };
            (*mean_id, mean)
        })
        .collect();
    model.insert(id.to_string(), Wallet { next: *next, means });
}
