//! Typed readings beside the raw text: ids as integers, expiries as year and month, date-times with
//! their offset (feature `chrono`), from the simulator's real answers; a field whose text does not
//! read is an error naming it, and the raw text stays exactly as sealed.

mod common;

use sips_wallet::contract::{AddCardOutput, AddCardRequest, GetWalletDataRequest};
use sips_wallet::typed::{TypedFields, YearMonth};

#[tokio::test]
async fn ids_expiries_and_dates_read_typed_from_real_answers() {
    let (_simulator, client) = common::demo_simulator().await;
    let added = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("TYPED")
                .card_number("4111111111111111")
                .card_expiry_date("203012"),
        )
        .await
        .unwrap();
    assert_eq!(added.response.integer("paymentMeanId"), Ok(Some(1)));
    assert_eq!(added.response.integer("errorFieldName"), Ok(None), "unset");
    let raw = added.response.wallet_action_date_time.clone().unwrap();
    #[cfg(feature = "chrono")]
    {
        let at = added
            .response
            .date_time("walletActionDateTime")
            .unwrap()
            .unwrap();
        assert_eq!(
            at.to_rfc3339(),
            raw,
            "the same instant and offset as the text"
        );
    }
    assert!(!raw.is_empty());

    let data = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("TYPED"))
        .await
        .unwrap();
    let mean = &data.response.wallet_payment_mean_data_list[0];
    assert_eq!(
        mean.year_month("panExpiryDate"),
        Ok(Some(YearMonth {
            year: 2030,
            month: 12
        }))
    );
    assert_eq!(
        mean.pan_expiry_date.as_deref(),
        Some("203012"),
        "the raw text stays"
    );
}

#[test]
fn text_that_does_not_read_is_an_error_naming_the_field() {
    let odd = AddCardOutput::new()
        .payment_mean_id("1a")
        .wallet_action_date_time("yesterday 4111111111111111");
    let error = odd.integer("paymentMeanId").unwrap_err();
    assert_eq!(error.field, "paymentMeanId");
    assert!(error.to_string().contains("whole number"), "{error}");
    #[cfg(feature = "chrono")]
    {
        let error = odd.date_time("walletActionDateTime").unwrap_err();
        assert_eq!(error.field, "walletActionDateTime");
        assert!(!error.to_string().contains("4111111111111111"), "{error}");
        let json_sample = AddCardOutput::new().wallet_action_date_time("2022-10-19.12:58:01+0200");
        let at = json_sample
            .date_time("walletActionDateTime")
            .unwrap()
            .unwrap();
        assert_eq!(at.to_rfc3339(), "2022-10-19T12:58:01+02:00");
    }
}
