//! The declared `rust-version` is true: no crate the library builds with by default (normal and
//! build dependencies, default features) declares a newer one. Clippy's `incompatible_msrv` lint
//! (in `.ci/run`) checks our own code against it.

use std::collections::{HashMap, HashSet};
use std::process::Command;

fn version(text: &str) -> (u32, u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[test]
fn no_dependency_needs_a_newer_rust_than_declared() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages: HashMap<&str, &serde_json::Value> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let ours = packages
        .values()
        .find(|p| p["name"] == "sips-wallet")
        .unwrap();
    let declared = version(ours["rust_version"].as_str().unwrap());
    let nodes: HashMap<&str, &serde_json::Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    // Walk normal and build edges from the root.
    let mut seen = HashSet::new();
    let mut stack = vec![ours["id"].as_str().unwrap()];
    let mut too_new = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let package = packages[id];
        if let Some(needed) = package["rust_version"].as_str() {
            if version(needed) > declared {
                too_new.push(format!(
                    "{} {} needs {needed}",
                    package["name"], package["version"]
                ));
            }
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let kinds = dep["dep_kinds"].as_array().unwrap();
            if kinds.iter().any(|k| k["kind"] != "dev") {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    assert!(seen.len() > 50, "the walk found the dependency graph");
    assert!(too_new.is_empty(), "rust-version is not true: {too_new:?}");
}
