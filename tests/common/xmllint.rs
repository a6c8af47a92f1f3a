//! `xmllint` (Debian's libxml2-utils), the independent schema validator some tests use.
//!
//! The README's test command is plain `cargo test`, so a machine that has only the Rust toolchain
//! gets the tool here: installed through apt on first use when we are root, saying so on the
//! terminal, and only when that installs new packages without upgrading any the machine already
//! has (apt's own dry run says which); otherwise a clear instruction.

#![allow(dead_code)]

use std::io::Write;
use std::process::Command;
use std::sync::OnceLock;

const PACKAGE: &str = "libxml2-utils";

fn present() -> bool {
    Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn apt_get(args: &[&str]) -> Result<String, String> {
    let output = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .map_err(|e| format!("cannot run apt-get to install xmllint: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "apt-get {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The packages an `apt-get -s install` would upgrade (its `Inst name [old version] …` lines),
/// as opposed to those it would install new.
pub fn upgrades_in(simulation: &str) -> Vec<&str> {
    simulation
        .lines()
        .filter_map(|line| line.strip_prefix("Inst "))
        .filter_map(|rest| {
            let (name, after) = rest.split_once(' ')?;
            after.starts_with('[').then_some(name)
        })
        .collect()
}

fn install() -> Result<(), String> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let by_hand = format!(
        "install it once (`apt-get install {PACKAGE}`, or your system's libxml2 tools) and run \
         the tests again"
    );
    if !is_root {
        return Err(format!(
            "xmllint is not installed and the tests are not running as root: {by_hand}"
        ));
    }
    // Straight to the terminal: a test's own output is captured.
    let _ = writeln!(
        std::io::stderr(),
        "sips-wallet tests: installing {PACKAGE} (xmllint) through apt-get, the independent XSD \
         validator the envelope tests check against; nothing already installed is upgraded"
    );
    let install = ["install", "-y", "-qq", "--no-upgrade", PACKAGE];
    let simulated = apt_get(&["-s", "install", "--no-upgrade", PACKAGE]).or_else(|_| {
        apt_get(&["update", "-qq"])?;
        apt_get(&["-s", "install", "--no-upgrade", PACKAGE])
    })?;
    let upgrades = upgrades_in(&simulated);
    if !upgrades.is_empty() {
        return Err(format!(
            "installing {PACKAGE} would upgrade {} on this machine, which the tests never do: \
             {by_hand}",
            upgrades.join(", ")
        ));
    }
    apt_get(&install)?;
    if present() {
        Ok(())
    } else {
        Err(format!(
            "apt-get installed {PACKAGE} but xmllint still does not run"
        ))
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
