//! What the bench binaries share: `sips-wallet serve` in another process, this process's RSS, the
//! floor for reading a document and the floor for decode + verify (`floor_read`).
#![allow(dead_code)]

pub mod floor_read;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sips_wallet::simulator::{DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};
use sips_wallet::{SecretKey, WalletClient};

/// A client of the simulator at `url`, as its demo merchant, with this call timeout.
pub fn demo_client(url: &str, timeout: Duration) -> WalletClient {
    WalletClient::builder()
        .base_url(url)
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).expect("key"))
        .timeout(timeout)
        .build()
        .expect("client")
}

/// `sips-wallet serve` in its own process; killed when dropped unless stopped before.
pub struct Server {
    child: Option<Child>,
    /// Its base URL.
    pub url: String,
}

impl Server {
    /// Starts it on a free loopback port with `args`, and waits for its banner.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sips-wallet"))
            // No connection cap in the way: the benches open up to 1,000 at once.
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--max-connections",
                "4096",
            ])
            .args(args)
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sips-wallet serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("banner");
        // Keep reading: the server's later lines must find a reader.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .and_then(|u| u.strip_suffix("/services/v2/wallet"))
            .unwrap_or_else(|| panic!("no URL in the banner: {first}"))
            .to_string();
        Server {
            child: Some(child),
            url,
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// SIGTERM, then waits: whether it exited 0 (a graceful stop).
    pub fn terminate(mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().is_ok_and(|s| s.success())
    }

    /// SIGKILL, as a crash would.
    pub fn kill_9(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// This process's resident memory, in KiB (`VmRSS:` of /proc/self/status).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// The floor for reading a document: every event through bare quick-xml, namespaces resolved,
/// every text decoded (no types, no limits, no seal). Returns the decoded text's length.
pub fn bare_read(xml: &str) -> usize {
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut texts = 0;
    loop {
        match reader.read_resolved_event() {
            Ok((_, quick_xml::events::Event::Eof)) => return texts,
            Ok((_, quick_xml::events::Event::Text(text))) => {
                texts += text.xml10_content().map_or(0, |t| t.len())
            }
            Ok(_) => {}
            Err(_) => return 0,
        }
    }
}
