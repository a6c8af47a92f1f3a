//! A CXF-shaped contract the generator has never been tuned for (`tests/fixtures/cxf-wallet`:
//! JAXB-style names, wrapper elements typed by named complexTypes, anonymous nested types,
//! getWalletData's means in a wrapped list, a three-level extension chain, no documentation and a
//! sidecar), generated at build time: these tests prove its code compiles and round-trips.

#![allow(clippy::all, dead_code, missing_docs)]

include!(concat!(env!("OUT_DIR"), "/cxf_fixture.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{self, Content};
    use crate::message::{Message, Operation};
    use crate::seal::{self, Algorithm, SecretKey};
    use crate::xml::Limits;

    fn mean(id: &str) -> WalletPaymentMeanData {
        let mut mean = WalletPaymentMeanData::new();
        mean.set_text("paymentMeanId", id).unwrap();
        mean.set_text("maskedPan", "4111##########11").unwrap();
        mean
    }

    #[test]
    fn a_wrapped_list_round_trips_sealed_with_its_count() {
        let key = SecretKey::new("fixture-key").unwrap();
        let mut output = GetWalletDataOutput::new();
        output.set_text("walletResponseCode", "00").unwrap();
        let mut list = WalletPaymentMeanDataList::new();
        list.wallet_payment_mean_data = vec![mean("1"), mean("2"), mean("3")];
        output.wallet_payment_mean_data_list = Some(list);
        let sealed = seal::compute(Algorithm::HmacSha256, &key, &output.seal_data());
        output.set_text("seal", &sealed).unwrap();
        let xml = envelope::write_response::<operations::GetWalletData>(&output).unwrap();
        assert!(xml.contains("<urn:walletPaymentMeanDataList>\n"), "{xml}");
        assert_eq!(xml.matches("<urn:walletPaymentMeanData>").count(), 3);

        let Ok(Content::Message(read)) =
            envelope::read_response::<operations::GetWalletData>(&xml, Limits::default())
        else {
            panic!("the fixture's answer reads back")
        };
        assert_eq!(read, output);
        let items = &read
            .wallet_payment_mean_data_list
            .as_ref()
            .unwrap()
            .wallet_payment_mean_data;
        assert_eq!(items.len(), 3);
        let received = read.text("seal").unwrap();
        assert!(seal::verify(
            Algorithm::HmacSha256,
            &key,
            &read.seal_data(),
            received
        ));
        // The seal covers the means: one fewer and it no longer matches.
        let mut edited = read.clone();
        edited
            .wallet_payment_mean_data_list
            .as_mut()
            .unwrap()
            .wallet_payment_mean_data
            .pop();
        assert!(!seal::verify(
            Algorithm::HmacSha256,
            &key,
            &edited.seal_data(),
            received
        ));
    }

    #[test]
    fn records_pushed_by_field_name_land_in_the_wrapped_list() {
        // What the simulator does, knowing only the dictionary's field names.
        let mut output = GetWalletDataOutput::new();
        for id in ["1", "2"] {
            output
                .push_record("walletPaymentMeanDataList", &[("paymentMeanId", id)])
                .unwrap();
        }
        let items = &output
            .wallet_payment_mean_data_list
            .as_ref()
            .unwrap()
            .wallet_payment_mean_data;
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].text("paymentMeanId"), Some("2"));
    }

    #[test]
    fn a_wrapped_list_in_the_unwrapped_shape_is_refused() {
        // The bundled contract's shape (items directly in output) against this contract.
        let xml = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
            <urn:getWalletDataResponse xmlns:urn="urn:sips:cn:contract:office:wallet:v2"><urn:output>
            <urn:walletResponseCode>00</urn:walletResponseCode>
            <urn:walletPaymentMeanDataList><urn:paymentMeanId>1</urn:paymentMeanId></urn:walletPaymentMeanDataList>
            </urn:output></urn:getWalletDataResponse></soapenv:Body></soapenv:Envelope>"#;
        let result = envelope::read_response::<operations::GetWalletData>(xml, Limits::default());
        assert!(result.is_err(), "{result:?}");
    }

    #[test]
    fn requests_through_the_extension_chain_and_anonymous_nested_types() {
        let mut input = AddCardInput::new();
        input.set_text("merchantId", "011223344550000").unwrap();
        input.set_text("merchantWalletId", "W1").unwrap();
        input.set_text("seal", "s").unwrap();
        let xml = envelope::write_request::<operations::AddCard>(&input).unwrap();
        assert!(xml.contains("<urn:addCard"), "{xml}");
        assert_eq!(
            operations::AddCard::INFO.recommended_interface_version,
            Some("WR_WS_2.55")
        );
        let field = <AddCardInput as Message>::field("panType").unwrap();
        assert_eq!(field.since.map(|v| v.to_string()).as_deref(), Some("2.31"));

        let mut one = GetPaymentMeanDataOutput::new();
        one.push_record(
            "walletPaymentMeanData",
            &[("paymentMeanId", "7"), ("maskedPan", "5555##########44")],
        )
        .unwrap();
        let xml = envelope::write_response::<operations::GetPaymentMeanData>(&one).unwrap();
        let Ok(Content::Message(read)) =
            envelope::read_response::<operations::GetPaymentMeanData>(&xml, Limits::default())
        else {
            panic!("reads back")
        };
        assert_eq!(read, one);
    }
}
