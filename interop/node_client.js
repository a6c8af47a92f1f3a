// A foreign SOAP stack against the simulator: node-soap (npm's `soap`) loads the published WSDL and
// drives a wallet's whole life, sealing every request and verifying every response seal with its
// own code.
//
//     NODE_PATH=DIR/node_modules node node_client.js http://127.0.0.1:7070 MERCHANT_ID KEY_VERSION SECRET_KEY

"use strict";

const crypto = require("crypto");
const soap = require("soap");

const UNSEALED = new Set(["keyVersion", "sealAlgorithm", "seal"]);

// The string the seal is computed over: every non-empty text, fields sorted by name, nested objects
// in their place, lists in order. node-soap keeps an element's attributes under `attributes`.
function sealData(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(sealData).join("");
  if (typeof value === "object") {
    return Object.keys(value)
      .filter((name) => !UNSEALED.has(name) && name !== "attributes")
      .sort()
      .map((name) => sealData(value[name]))
      .join("");
  }
  return String(value);
}

function seal(key, value) {
  return crypto.createHmac("sha256", key).update(sealData(value), "utf8").digest("hex");
}

function fail(message) {
  console.error(`node: ${message}`);
  process.exit(1);
}

async function main([base, merchant, keyVersion, key]) {
  const client = await soap.createClientAsync(`${base}/services/v2/wallet?wsdl`);
  const wallet = "NODE-1";

  async function call(operation, expected, fields) {
    const request = {
      merchantId: merchant,
      interfaceVersion: ["addCard", "addDirectDebit"].includes(operation) ? "WR_WS_2.55" : "WR_WS_2.49",
      keyVersion,
      merchantWalletId: wallet,
      ...fields,
    };
    request.seal = seal(key, request);
    const [result] = await client[`${operation}Async`]({ input: request });
    const output = result.output;
    const received = Buffer.from(output.seal || "");
    const computed = Buffer.from(seal(key, output));
    if (received.length !== computed.length || !crypto.timingSafeEqual(received, computed)) {
      fail(`${operation}: the response seal does not verify`);
    }
    if (output.walletResponseCode !== expected) {
      fail(`${operation}: code ${output.walletResponseCode}, expected ${expected}`);
    }
    console.log(`node: ${operation}: ${output.walletResponseCode}, seal verified`);
    return output;
  }

  await call("addCard", "00", { cardNumber: "4111111111111111", cardExpiryDate: "203012", paymentMeanAlias: "a & <b>" });
  const second = await call("addCard", "00", { cardNumber: "5555555555554444", cardExpiryDate: "203101" });
  await call("addCard", "94", { cardNumber: "4111111111111111", cardExpiryDate: "203012" });
  const sdd = await call("addDirectDebit", "00", { iban: "FR7630006000011234567890189", mandateId: "NODE-M1" });
  if (sdd.maskedPan !== "FR76#####################89") fail("addDirectDebit: the IBAN is not masked as the bank does");
  await call("addDirectDebit", "94", { iban: "FR7630006000011234567890189", mandateId: "NODE-M1" });
  const data = await call("getWalletData", "00", {});
  // node-soap gives a repeated element as an array only when it repeats.
  const means = [].concat(data.walletPaymentMeanDataList || []);
  if (means.length !== 3 || means[0].paymentMeanAlias !== "a & <b>" || means[2].mandateId !== "NODE-M1") {
    fail(`getWalletData: unexpected means ${JSON.stringify(means.map((m) => m.paymentMeanId))}`);
  }
  const mean = second.paymentMeanId;
  await call("updatePaymentMean", "00", { paymentMeanId: mean, paymentMeanAlias: "work" });
  const one = await call("getPaymentMeanData", "00", { paymentMeanId: mean });
  if (one.walletPaymentMeanData.paymentMeanAlias !== "work") fail("getPaymentMeanData: the alias did not change");
  await call("deletePaymentMean", "00", { paymentMeanId: "1" });
  await call("signOff", "00", {});
  await call("getWalletData", "25", {});
  console.log("node: the whole lifecycle passed");
}

main(process.argv.slice(2)).catch((error) => fail(error && error.message ? error.message : String(error)));
