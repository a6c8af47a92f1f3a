//! Generates the wallet and In-App contracts from `wsdl/` (see the `sips-wallet-codegen` crate), or
//! from the folder `SIPS_WALLET_WSDL_DIR` names: a user's own copy of the vendor's WSDL.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=wsdl");
    println!("cargo:rerun-if-env-changed=SIPS_WALLET_WSDL_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let bundled = manifest.join("wsdl");
    let user = std::env::var_os("SIPS_WALLET_WSDL_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = &user {
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.join("wallet.wsdl").is_file() {
            build_print::error!(
                "SIPS_WALLET_WSDL_DIR={}: no wallet.wsdl there (save the service's ?wsdl as wallet.wsdl, its XSDs beside it)",
                dir.display()
            );
            std::process::exit(1);
        }
    }
    // (WSDL, generated file in OUT_DIR): the wallet service and the JSON In-App one. A user's folder
    // replaces the wallet contract; In-App comes from it too when it holds inapp.wsdl.
    // The library's unit tests also compile and round-trip a CXF-shaped contract (named wrapper
    // types, anonymous nested types, a wrapped list, no documentation): tests/fixtures/cxf-wallet.
    let fixture = manifest.join("tests/fixtures/cxf-wallet");
    println!("cargo:rerun-if-changed={}", fixture.display());
    // (WSDL, generated file, the folder when fixed, the module that includes the file).
    let contracts = [
        ("wallet.wsdl", "wallet.rs", None, "crate::contract"),
        ("inapp.wsdl", "inapp.rs", None, "crate::inapp"),
        (
            "wallet.wsdl",
            "cxf_fixture.rs",
            Some(&fixture),
            "crate::cxf_fixture",
        ),
    ];
    for (wsdl, output, fixed, module) in contracts {
        let dir = match (fixed, &user) {
            (Some(fixture), _) => fixture,
            (None, Some(dir)) if dir.join(wsdl).is_file() => dir,
            _ => &bundled,
        };
        let options = sips_wallet_codegen::Options {
            client: fixed.is_none().then(|| sips_wallet_codegen::ClientMethods {
                client_type: "crate::WalletClient".into(),
                result_type: "crate::CallResult".into(),
                contract: module.into(),
                blocking: false,
            }),
            ..Default::default()
        };
        let shown = dir.display();
        if output == "wallet.rs" {
            write_contract_files(dir, &out_dir);
        }
        match sips_wallet_codegen::generate_dir(dir, wsdl, &options) {
            Ok(generated) => {
                for warning in &generated.warnings {
                    build_print::warn!("{shown}/{warning}");
                }
                if let Err(e) = std::fs::write(out_dir.join(output), generated.source) {
                    build_print::error!("cannot write the generated {output}: {e}");
                    std::process::exit(1);
                }
                // The client methods, in files of their own: the contract depends on no client.
                // The blocking client's are written always and compiled with its feature only.
                if let Some(client) = generated.client {
                    let blocking = sips_wallet_codegen::client_file(
                        &generated.contract,
                        &sips_wallet_codegen::ClientMethods {
                            client_type: "crate::blocking::WalletClient".into(),
                            result_type: "crate::CallResult".into(),
                            contract: module.into(),
                            blocking: true,
                        },
                    );
                    for (suffix, text) in [("_client.rs", client), ("_blocking.rs", blocking)] {
                        let name = output.replace(".rs", suffix);
                        if let Err(e) = std::fs::write(out_dir.join(&name), text) {
                            build_print::error!("cannot write the generated {name}: {e}");
                            std::process::exit(1);
                        }
                    }
                }
            }
            Err(error) => {
                for warning in &error.warnings {
                    build_print::warn!("{shown}/{warning}");
                }
                build_print::error!("{shown}/{error}");
                std::process::exit(1);
            }
        }
    }
}

/// `contract_files.rs`: the documents the wallet contract was generated from, for the CLI's
/// `contract check` (which compares them with what a service publishes).
fn write_contract_files(dir: &std::path::Path, out_dir: &std::path::Path) {
    let mut entries = Vec::new();
    if let Ok(listing) = std::fs::read_dir(dir) {
        for entry in listing.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name.ends_with(".wsdl") || name.ends_with(".xsd") || name == "wallet.versions.toml" {
                entries.push(format!(
                    "({name:?}, include_str!({:?})),",
                    path.display().to_string()
                ));
            }
        }
    }
    entries.sort();
    let source = format!(
        "/// The documents the wallet contract was generated from: (file name, text).\n\
         pub const WALLET_CONTRACT_FILES: &[(&str, &str)] = &[\n{}\n];\n",
        entries.join("\n")
    );
    if let Err(e) = std::fs::write(out_dir.join("contract_files.rs"), source) {
        build_print::error!("cannot write contract_files.rs: {e}");
        std::process::exit(1);
    }
}
