//! Every fuzz target's entry point over its seeds, on stable, with the fuzz crate's own features:
//! a target that cannot reach the code it names (a client that does not build, a path that returns
//! at once) fails here, in CI, rather than fuzzing nothing for hours.

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("client_response", sips_wallet::fuzzing::client_response),
    ("simulator_request", sips_wallet::fuzzing::simulator_request),
    ("seal_input", sips_wallet::fuzzing::seal_input),
    ("mask_text", sips_wallet::fuzzing::mask_text),
    ("mask_by_value", sips_wallet::fuzzing::mask_by_value),
];

#[test]
fn every_target_runs_its_seeds() {
    for (name, target) in TARGETS {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(name);
        let mut count = 0;
        for entry in std::fs::read_dir(&seeds).unwrap() {
            target(&std::fs::read(entry.unwrap().path()).unwrap());
            count += 1;
        }
        assert!(count > 0, "{name} has no seeds in {}", seeds.display());
    }
}
