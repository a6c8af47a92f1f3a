//! `xmllint` (Debian's libxml2-utils), the independent schema validator some tests use.
//!
//! The README's test command is plain `cargo test`, so a machine that has only the Rust toolchain
//! gets the tool here: installed through apt on first use when we are root, or a clear instruction.

use std::process::Command;
use std::sync::OnceLock;

fn present() -> bool {
    Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn install() -> Result<(), String> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !is_root {
        return Err(
            "xmllint is not installed and the tests are not running as root: \
                    run `apt-get install libxml2-utils` (or your system's libxml2 tools) once"
                .into(),
        );
    }
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "libxml2-utils"][..],
    ] {
        let output = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|e| format!("cannot run apt-get to install xmllint: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "apt-get {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    if present() {
        Ok(())
    } else {
        Err("apt-get installed libxml2-utils but xmllint still does not run".into())
    }
}

/// `xmllint --noout --schema XSD`, ready for a file argument; installs the tool if needed.
pub fn schema_check(xsd: &str) -> Command {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| if present() { Ok(()) } else { install() });
    if let Err(why) = ready {
        panic!("{why}");
    }
    let mut command = Command::new("xmllint");
    command.args(["--noout", "--schema", xsd]);
    command
}
