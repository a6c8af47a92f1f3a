"""A foreign SOAP stack against the simulator: zeep (Python) loads the published WSDL and drives a
wallet's whole life, sealing every request and verifying every response seal with its own code.

    python zeep_client.py http://127.0.0.1:7070 MERCHANT_ID KEY_VERSION SECRET_KEY
"""

import hmac
import sys

import zeep
from zeep.helpers import serialize_object

from sips_seal import seal


def main(base, merchant, key_version, key):
    key = key.encode()
    client = zeep.Client(base + "/services/v2/wallet?wsdl")
    wallet = "ZEEP-1"

    def call(operation, expected, **fields):
        request = {
            "merchantId": merchant,
            "interfaceVersion": "WR_WS_2.55" if operation in ("addCard", "addDirectDebit") else "WR_WS_2.49",
            "keyVersion": key_version,
            "merchantWalletId": wallet,
            **fields,
        }
        request["seal"] = seal(key, request)
        output = serialize_object(getattr(client.service, operation)(input=request))
        received = output.get("seal") or ""
        if not hmac.compare_digest(received, seal(key, output)):
            raise SystemExit(f"zeep: {operation}: the response seal does not verify")
        code = output.get("walletResponseCode")
        if code != expected:
            raise SystemExit(f"zeep: {operation}: code {code}, expected {expected}")
        print(f"zeep: {operation}: {code}, seal verified")
        return output

    call("addCard", "00", cardNumber="4111111111111111", cardExpiryDate="203012",
         paymentMeanAlias="a & <b>")
    second = call("addCard", "00", cardNumber="5555555555554444", cardExpiryDate="203101")
    call("addCard", "94", cardNumber="4111111111111111", cardExpiryDate="203012")
    sdd = call("addDirectDebit", "00", iban="FR7630006000011234567890189", mandateId="ZEEP-M1")
    if sdd["maskedPan"] != "FR76#####################89":
        raise SystemExit(f"zeep: addDirectDebit: the IBAN is not masked as the bank does: {sdd}")
    call("addDirectDebit", "94", iban="FR7630006000011234567890189", mandateId="ZEEP-M1")
    data = call("getWalletData", "00")
    means = data["walletPaymentMeanDataList"]
    if len(means) != 3 or means[0]["paymentMeanAlias"] != "a & <b>" \
            or means[2]["mandateId"] != "ZEEP-M1":
        raise SystemExit(f"zeep: getWalletData: unexpected means {means}")
    mean = second["paymentMeanId"]
    call("updatePaymentMean", "00", paymentMeanId=mean, paymentMeanAlias="work")
    one = call("getPaymentMeanData", "00", paymentMeanId=mean)
    if one["walletPaymentMeanData"]["paymentMeanAlias"] != "work":
        raise SystemExit("zeep: getPaymentMeanData: the alias did not change")
    call("deletePaymentMean", "00", paymentMeanId="1")
    call("signOff", "00")
    call("getWalletData", "25")
    print("zeep: the whole lifecycle passed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
