#![no_main]
// See `sips_wallet::fuzzing::client_response` for what the bytes mean.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sips_wallet::fuzzing::client_response(data));
