//! Generates the wallet and In-App contracts from `wsdl/` (see the `sips-wallet-codegen` crate).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=wsdl");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let options = sips_wallet_codegen::Options {
        client_type: Some("crate::client::WalletClient".into()),
        ..Default::default()
    };
    // (WSDL in wsdl/, generated file in OUT_DIR): the SOAP wallet service and the JSON In-App one.
    for (wsdl, output) in [("wallet.wsdl", "wallet.rs"), ("inapp.wsdl", "inapp.rs")] {
        match sips_wallet_codegen::generate_dir(&manifest.join("wsdl"), wsdl, &options) {
            Ok(generated) => {
                for warning in &generated.warnings {
                    build_print::warn!("wsdl/{warning}");
                }
                if let Err(e) = std::fs::write(out_dir.join(output), generated.source) {
                    build_print::error!("cannot write the generated {output}: {e}");
                    std::process::exit(1);
                }
            }
            Err(error) => {
                build_print::error!("wsdl/{error}");
                std::process::exit(1);
            }
        }
    }
}
