//! What the generator's tests share: the bundled contract.

use std::path::{Path, PathBuf};

use sips_wallet_codegen::{generate_dir, Generated, Options};

/// The folder of the bundled WSDL, XSD and sidecar.
pub fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl")
}

/// The bundled contract, generated with the default options.
pub fn bundled() -> Generated {
    generate_dir(&bundled_dir(), "wallet.wsdl", &Options::default())
        .expect("the bundled WSDL generates")
}
