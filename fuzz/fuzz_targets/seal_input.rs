#![no_main]
// See `sips_wallet::fuzzing::seal_input` for what the bytes mean.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sips_wallet::fuzzing::seal_input(data));
