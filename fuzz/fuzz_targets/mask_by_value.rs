#![no_main]
// See `sips_wallet::fuzzing::mask_by_value`: a known card number never survives the masker.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sips_wallet::fuzzing::mask_by_value(data));
