//! Generates the wallet contract from `wsdl/` (see the `sips-wallet-codegen` crate).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=wsdl");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let options = sips_wallet_codegen::Options {
        client_type: Some("crate::client::WalletClient".into()),
        ..Default::default()
    };
    match sips_wallet_codegen::generate_dir(&manifest.join("wsdl"), "wallet.wsdl", &options) {
        Ok(generated) => {
            for warning in &generated.warnings {
                build_print::warn!("wsdl/{warning}");
            }
            if let Err(e) = std::fs::write(out_dir.join("wallet.rs"), generated.source) {
                build_print::error!("cannot write the generated contract: {e}");
                std::process::exit(1);
            }
        }
        Err(error) => {
            build_print::error!("wsdl/{error}");
            std::process::exit(1);
        }
    }
}
