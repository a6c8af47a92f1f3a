<?php
// A Latin-1 PHP shop against the simulator. Its strings are ISO-8859-1 bytes: SoapClient, told so
// (`encoding => ISO-8859-1`), converts them for the wire and converts the answers back; and the
// shop's own code posts a request written in ISO-8859-1, naming it in the Content-Type and the XML
// declaration. The seal is over the UTF-8 bytes of the characters, whatever encoding carried them.
//
//     php php_latin1.php http://127.0.0.1:7070 MERCHANT_ID KEY_VERSION SECRET_KEY

require __DIR__ . '/sips_seal.php';

[$_, $base, $merchant, $keyVersion, $key] = $argv;
$alias = "Carte de Zo\xe9, l'\xe9t\xe9"; // ISO-8859-1 bytes, as the shop holds them

function utf8(string $latin1): string { return iconv('ISO-8859-1', 'UTF-8', $latin1); }
function seal_of(array $message, string $key): string { return hash_hmac('sha256', utf8(seal_data($message)), $key); }
function fail(string $message) { fwrite(STDERR, "php latin-1: $message\n"); exit(1); }

$client = new SoapClient("$base/services/v2/wallet?wsdl", [
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
    'exceptions' => true,
    'encoding' => 'ISO-8859-1',
]);
function common(string $wallet, string $version): array {
    global $merchant, $keyVersion;
    return ['merchantId' => $merchant, 'interfaceVersion' => $version, 'keyVersion' => $keyVersion, 'merchantWalletId' => $wallet];
}
function call(SoapClient $client, string $operation, array $request): array {
    global $key;
    $request['seal'] = seal_of($request, $key);
    $output = to_array($client->__soapCall($operation, [['input' => $request]])->output);
    if (!hash_equals(seal_of($output, $key), $output['seal'] ?? '')) { fail("$operation: the response seal does not verify"); }
    if (($output['walletResponseCode'] ?? '') !== '00') { fail("$operation: code " . ($output['walletResponseCode'] ?? 'none')); }
    return $output;
}

// Through SoapClient: the alias goes out converted, and comes back as the Latin-1 bytes it was.
call($client, 'addCard', common('PHP-LATIN1', 'WR_WS_2.55') + ['cardNumber' => '4111111111111111', 'cardExpiryDate' => '203012', 'paymentMeanAlias' => $alias]);
$held = call($client, 'getWalletData', common('PHP-LATIN1', 'WR_WS_2.49'));
if ($held['walletPaymentMeanDataList'][0]['paymentMeanAlias'] !== $alias) { fail('SoapClient: the alias did not come back as sent'); }
echo "php latin-1: SoapClient (encoding ISO-8859-1): addCard and getWalletData, the accented alias kept, seals verified\n";

// Posted as the shop's own code writes it: ISO-8859-1 on the wire.
$request = common('PHP-LATIN1-RAW', 'WR_WS_2.55') + ['cardNumber' => '5555555555554444', 'cardExpiryDate' => '203101', 'paymentMeanAlias' => $alias];
$request['seal'] = seal_of($request, $key);
$fields = '';
foreach (['merchantId', 'interfaceVersion', 'keyVersion', 'seal', 'merchantWalletId', 'cardNumber', 'cardExpiryDate', 'paymentMeanAlias'] as $name) {
    $fields .= "<urn:$name>" . htmlspecialchars($request[$name], ENT_XML1, 'ISO-8859-1') . "</urn:$name>";
}
$envelope = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    . '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:sips:cn:contract:office:wallet:v2">'
    . "<soapenv:Body><urn:addCard><urn:input>$fields</urn:input></urn:addCard></soapenv:Body></soapenv:Envelope>";
$answer = file_get_contents("$base/services/v2/wallet", false, stream_context_create(['http' => [
    'method' => 'POST',
    'header' => "Content-Type: text/xml; charset=ISO-8859-1\r\nSOAPAction: \"\"\r\n",
    'content' => $envelope,
    'ignore_errors' => true,
]]));
if (!preg_match('~<(?:\w+:)?walletResponseCode>00<~', $answer)) { fail("a request in ISO-8859-1 was refused: $answer"); }
$held = call($client, 'getWalletData', common('PHP-LATIN1-RAW', 'WR_WS_2.49'));
if ($held['walletPaymentMeanDataList'][0]['paymentMeanAlias'] !== $alias) { fail('posted in ISO-8859-1: the alias was not read as meant'); }
echo "php latin-1: a request posted in ISO-8859-1 (header and declaration): 00, the accented alias read as meant\n";
