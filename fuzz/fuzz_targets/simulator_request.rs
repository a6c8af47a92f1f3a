#![no_main]
// See `sips_wallet::fuzzing::simulator_request` for what the bytes mean.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sips_wallet::fuzzing::simulator_request(data));
