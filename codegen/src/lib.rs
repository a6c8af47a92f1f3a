//! The sips-wallet code generator: WSDL/XSD text in, Rust source out.
//!
//! `sips-wallet`'s build script calls [`generate_dir`] on `wsdl/`; tests call [`generate`] on text.
//! The output is one Rust file for the contract: a struct per complex type (yaserde and serde
//! derives, fluent setters, a `Debug` that masks card data, the seal walk in the order fixed here),
//! an open enum per list of values, the wrapper elements, one marker type per operation; and,
//! optionally, a second file with one async client method per operation, so that the contract
//! itself depends on no client.

use std::fmt;
use std::path::Path;

pub mod diff;
mod emit;
pub mod limits;
pub mod model;
mod names;
mod parse;
mod versions;
mod xml;

pub use names::{snake_case, upper_camel, variant_name};
pub use sips_wallet_runtime::protocol::{SENSITIVE_FIELDS, UNSEALED_FIELDS};

/// The documents of a contract: a WSDL and the schemas it imports, by file name.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    entry: String,
    files: Vec<(String, String)>,
    sidecar: Option<(String, String)>,
}

impl Sources {
    /// `entry` names the WSDL among `files`; `schemaLocation`s are looked up by name among them.
    pub fn new(entry: impl Into<String>, files: Vec<(String, String)>) -> Self {
        Sources {
            entry: entry.into(),
            files,
            sidecar: None,
        }
    }

    /// With the contract's sidecar (see the `versions` module): `name` for messages, `text` TOML.
    pub fn with_sidecar(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.sidecar = Some((name.into(), text.into()));
        self
    }

    fn entry(&self) -> Result<(&str, &str), Error> {
        self.files
            .iter()
            .find(|(name, _)| *name == self.entry)
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .ok_or_else(|| Error::new(&self.entry, "", "the WSDL file is missing"))
    }

    fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(n, t)| (n.as_str(), t.as_str()))
    }
}

/// Choices about the emitted code.
#[derive(Debug, Clone)]
pub struct Options {
    /// The prefix bound to the target namespace in emitted XML (`urn`, as in the vendor's samples).
    pub prefix: String,
    /// The path the generated code reaches `sips-wallet-runtime` by: the only crate it depends on
    /// (besides serde and, with its `yaserde` feature, yaserde). Default `::sips_wallet_runtime`.
    pub runtime: String,
    /// One async method per operation on a client type, if wanted.
    pub client: Option<ClientMethods>,
    /// When generating must be over (`contract check --timeout`): past it, an error, checked
    /// between stages and between types, so that a caller's time limit holds.
    pub deadline: Option<std::time::Instant>,
}

/// Where the generated client methods go, in a file of their own: `impl <client_type> { pub async
/// fn sign_off(&self, request: <contract>::SignOffRequest) -> <result_type><<contract>::SignOffOutput>
/// { self.call(<contract>::operations::SignOff, request).await } }`.
#[derive(Debug, Clone)]
pub struct ClientMethods {
    /// The client type (`crate::WalletClient`); it has a generic
    /// `call(operation, request)` method.
    pub client_type: String,
    /// A generic alias for what a call returns (`crate::CallResult`).
    pub result_type: String,
    /// The path of the module the contract's file is included in (`crate::contract`).
    pub contract: String,
    /// Blocking methods (`pub fn`, the client's `call` returning at once) instead of async ones.
    pub blocking: bool,
}

/// The client methods' file for `contract`, on the client type `client` names: what
/// [`Options::client`] adds to [`Generated`], for a second client type (the blocking one).
pub fn client_file(contract: &model::Contract, client: &ClientMethods) -> String {
    emit::emit_client_file(contract, client)
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prefix: "urn".into(),
            runtime: "::sips_wallet_runtime".into(),
            client: None,
            deadline: None,
        }
    }
}

/// The generated source and what the generator could not express.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The contract's file.
    pub source: String,
    /// The client methods' file, when [`Options::client`] asks for one.
    pub client: Option<String>,
    pub contract: model::Contract,
    pub warnings: Vec<Warning>,
}

/// A construct the generator does not support and skipped or simplified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    pub element: String,
    pub message: String,
}

impl Warning {
    fn new(file: &str, element: &str, message: impl Into<String>) -> Self {
        Warning {
            file: file.into(),
            element: element.into(),
            message: message.into(),
        }
    }
}

/// `file: <element>: message`, or `file: message` about the file as a whole: what a warning and an
/// error both say.
fn write_place(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    element: &str,
    message: &str,
) -> fmt::Result {
    if element.is_empty() {
        write!(f, "{file}: {message}")
    } else {
        write!(f, "{file}: <{element}>: {message}")
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_place(f, &self.file, &self.element, &self.message)
    }
}

/// A contract the generator cannot turn into code; names the file and element, and keeps the
/// warnings that explain it (a type skipped is often why an operation could not be made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    pub element: String,
    pub message: String,
    pub warnings: Vec<Warning>,
}

impl Error {
    fn new(file: &str, element: &str, message: impl Into<String>) -> Self {
        Error {
            file: file.into(),
            element: element.into(),
            message: message.into(),
            warnings: Vec::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_place(f, &self.file, &self.element, &self.message)
    }
}

impl std::error::Error for Error {}

/// Generates the Rust source for a contract.
pub fn generate(sources: &Sources, options: &Options) -> Result<Generated, Error> {
    let (entry, _) = sources.entry()?;
    let mut budget = limits::Budget::new(entry, options.deadline);
    budget.check_time("reading the documents")?;
    let (mut contract, mut warnings) = parse::parse_contract(sources)?;
    budget.check_time("reading the documents")?;
    if contract.operations.is_empty() {
        let (entry, _) = sources.entry()?;
        let mut error = Error::new(
            entry,
            "portType",
            "no operation could be generated (the warnings above say what was skipped)",
        );
        error.warnings = warnings;
        return Err(error);
    }
    if let Some((name, text)) = &sources.sidecar {
        warnings.extend(versions::merge(&mut contract, name, text)?);
    }
    limits::check_contract(&contract, entry)?;
    names::check(&contract, entry)?;
    let source = emit::emit(&contract, options, &mut budget)?;
    budget.check_size(source.len(), "definitions")?;
    let client = options
        .client
        .as_ref()
        .map(|client| emit::emit_client_file(&contract, client));
    Ok(Generated {
        source,
        client,
        contract,
        warnings,
    })
}

/// One document of a contract: a regular file of at most [`limits::MAX_DOCUMENT_BYTES`], UTF-8.
fn read_document(path: &Path) -> Result<String, Error> {
    let unreadable = |why: String| Error::new(&path.display().to_string(), "", why);
    let bytes = sips_wallet_runtime::files::read_regular(path, limits::MAX_DOCUMENT_BYTES as u64)
        .map_err(|e| unreadable(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".into()))
}

/// Reads `dir/<wsdl>`, every `.xsd`/`.wsdl` beside it and the sidecar `<wsdl stem>.versions.toml`
/// if there is one, then [`generate`]s.
pub fn generate_dir(dir: &Path, wsdl: &str, options: &Options) -> Result<Generated, Error> {
    // The WSDL first, whatever its name ends with: a missing or unreadable one is named as such.
    let mut files = vec![(wsdl.to_string(), read_document(&dir.join(wsdl))?)];
    let listing = std::fs::read_dir(dir).map_err(|e| {
        Error::new(
            &dir.display().to_string(),
            "",
            format!("cannot read the folder: {e}"),
        )
    })?;
    for entry in listing {
        let path = entry
            .map_err(|e| {
                Error::new(
                    &dir.display().to_string(),
                    "",
                    format!("cannot list the folder: {e}"),
                )
            })?
            .path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        // Folders and other files that are no documents (a FIFO would block) are not read: a
        // schema the WSDL needs among them is reported missing by name.
        let document = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
        if name == wsdl || !document || !(name.ends_with(".wsdl") || name.ends_with(".xsd")) {
            continue;
        }
        files.push((name, read_document(&path)?));
    }
    files.sort();
    let mut sources = Sources::new(wsdl, files);
    let sidecar = format!("{}.versions.toml", wsdl.trim_end_matches(".wsdl"));
    let path = dir.join(&sidecar);
    if path.exists() {
        let bytes =
            sips_wallet_runtime::files::read_regular(&path, limits::MAX_DOCUMENT_BYTES as u64)
                .map_err(|e| Error::new(&sidecar, "", format!("cannot read: {e}")))?;
        let text =
            String::from_utf8(bytes).map_err(|_| Error::new(&sidecar, "", "not UTF-8 text"))?;
        sources = sources.with_sidecar(sidecar, text);
    }
    generate(&sources, options)
}
