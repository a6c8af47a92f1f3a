#![no_main]
// See `sips_wallet::fuzzing::mask_text`: no card number survives the masker.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sips_wallet::fuzzing::mask_text(data));
