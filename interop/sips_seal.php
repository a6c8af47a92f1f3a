<?php
// The Sips seal, as a PHP integrator writes it: every non-empty text of the message, fields sorted by
// name (byte order), nested objects in their place, lists in order; HMAC-SHA-256 in hex.

const UNSEALED = ['keyVersion', 'sealAlgorithm', 'seal'];

// SoapClient and SoapServer hand objects (stdClass); the seal walks arrays.
function to_array($value) {
    if (is_object($value)) { $value = get_object_vars($value); }
    if (is_array($value)) { return array_map('to_array', $value); }
    return $value;
}

function seal_data($value): string {
    if ($value === null) { return ''; }
    if (is_array($value)) {
        if (array_is_list($value)) { return implode('', array_map('seal_data', $value)); }
        $names = array_keys($value);
        sort($names, SORT_STRING);
        $out = '';
        foreach ($names as $name) {
            if (!in_array($name, UNSEALED, true)) { $out .= seal_data($value[$name]); }
        }
        return $out;
    }
    return (string) $value;
}
