<?php
// A foreign SOAP stack against the simulator: PHP's SoapClient loads the published WSDL and drives a
// wallet's whole life, sealing every request and verifying every response seal with its own code.
//
//     php php_client.php http://127.0.0.1:7070 MERCHANT_ID KEY_VERSION SECRET_KEY

require __DIR__ . '/sips_seal.php';

[$_, $base, $merchant, $keyVersion, $key] = $argv;
$client = new SoapClient("$base/services/v2/wallet?wsdl", [
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
    'exceptions' => true,
]);
$wallet = 'PHP-1';

function call(SoapClient $client, string $operation, string $expected, array $fields) {
    global $merchant, $keyVersion, $key, $wallet;
    $request = array_merge([
        'merchantId' => $merchant,
        'interfaceVersion' => in_array($operation, ['addCard', 'addDirectDebit'], true) ? 'WR_WS_2.55' : 'WR_WS_2.49',
        'keyVersion' => $keyVersion,
        'merchantWalletId' => $wallet,
    ], $fields);
    $request['seal'] = hash_hmac('sha256', seal_data($request), $key);
    $output = to_array($client->__soapCall($operation, [['input' => $request]])->output);
    $received = $output['seal'] ?? '';
    if (!hash_equals(hash_hmac('sha256', seal_data($output), $key), $received)) {
        fwrite(STDERR, "php: $operation: the response seal does not verify\n");
        exit(1);
    }
    $code = $output['walletResponseCode'] ?? '';
    if ($code !== $expected) {
        fwrite(STDERR, "php: $operation: code $code, expected $expected\n");
        exit(1);
    }
    echo "php: $operation: $code, seal verified\n";
    return $output;
}

call($client, 'addCard', '00', ['cardNumber' => '4111111111111111', 'cardExpiryDate' => '203012', 'paymentMeanAlias' => 'a & <b>']);
$second = call($client, 'addCard', '00', ['cardNumber' => '5555555555554444', 'cardExpiryDate' => '203101']);
call($client, 'addCard', '94', ['cardNumber' => '4111111111111111', 'cardExpiryDate' => '203012']);
$sdd = call($client, 'addDirectDebit', '00', ['iban' => 'FR7630006000011234567890189', 'mandateId' => 'PHP-M1']);
if ($sdd['maskedPan'] !== 'FR76#####################89') {
    fwrite(STDERR, "php: addDirectDebit: the IBAN is not masked as the bank does\n");
    exit(1);
}
call($client, 'addDirectDebit', '94', ['iban' => 'FR7630006000011234567890189', 'mandateId' => 'PHP-M1']);
$data = call($client, 'getWalletData', '00', []);
$means = $data['walletPaymentMeanDataList'];
if (count($means) !== 3 || $means[0]['paymentMeanAlias'] !== 'a & <b>' || $means[2]['mandateId'] !== 'PHP-M1') {
    fwrite(STDERR, "php: getWalletData: unexpected means\n");
    exit(1);
}
$mean = $second['paymentMeanId'];
call($client, 'updatePaymentMean', '00', ['paymentMeanId' => $mean, 'paymentMeanAlias' => 'work']);
$one = call($client, 'getPaymentMeanData', '00', ['paymentMeanId' => $mean]);
if ($one['walletPaymentMeanData']['paymentMeanAlias'] !== 'work') {
    fwrite(STDERR, "php: getPaymentMeanData: the alias did not change\n");
    exit(1);
}
call($client, 'deletePaymentMean', '00', ['paymentMeanId' => '1']);
call($client, 'signOff', '00', []);
call($client, 'getWalletData', '25', []);
echo "php: the whole lifecycle passed\n";
