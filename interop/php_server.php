<?php
// A foreign SOAP server built from our WSDL: PHP's SoapServer, run by `php -S HOST:PORT php_server.php`,
// answers signOff and getWalletData sealed with SIPS_SECRET_KEY, for the client to read and verify.

require __DIR__ . '/sips_seal.php';

class Wallet {
    private function answer($params, array $output): array {
        $key = getenv('SIPS_SECRET_KEY');
        $input = to_array($params->input);
        if (!hash_equals(hash_hmac('sha256', seal_data($input), $key), $input['seal'] ?? '')) {
            $output = ['walletResponseCode' => '34', 'errorFieldName' => 'seal'];
        }
        $output['seal'] = hash_hmac('sha256', seal_data($output), $key);
        return ['output' => $output];
    }

    public function signOff($params) {
        return $this->answer($params, [
            'walletResponseCode' => '00',
            'walletActionDateTime' => '2026-11-23T10:00:00+01:00',
        ]);
    }

    public function getWalletData($params) {
        return $this->answer($params, [
            'walletResponseCode' => '00',
            'walletCreationDateTime' => '2026-01-02T03:04:05+01:00',
            'walletPaymentMeanDataList' => [
                ['paymentMeanId' => '1', 'maskedPan' => '4111##########11', 'panExpiryDate' => '203012', 'paymentMeanAlias' => 'a & <b>'],
                ['paymentMeanId' => '2', 'maskedPan' => '5555##########44', 'panExpiryDate' => '203101'],
            ],
        ]);
    }
}

$server = new SoapServer(__DIR__ . '/../wsdl/wallet.wsdl', [
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
]);
$server->setObject(new Wallet());
$server->handle();
