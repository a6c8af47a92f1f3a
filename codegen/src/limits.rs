//! Bounds on the work a contract may ask of the generator, at build time and in
//! `sips-wallet contract check`: each one, when crossed, is an error naming the file and element,
//! never a build that runs for minutes or writes megabytes. The bundled contract uses a small
//! fraction of each (18 types, 6 operations, 3 levels of extension, about 300 fields).

use crate::model::Contract;
use crate::Error;

/// Size of one WSDL or XSD document.
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Nesting of elements in one document.
pub const MAX_DEPTH: usize = 64;
/// Elements in one document.
pub const MAX_ELEMENTS: usize = 200_000;
/// Namespace declarations in scope at any element.
pub const MAX_DECLARATIONS: usize = 128;
/// Levels of `xs:extension` above a type.
pub const MAX_EXTENSION_DEPTH: usize = 16;
/// Complex and enumerated types together.
pub const MAX_TYPES: usize = 1_000;
/// Operations of the service.
pub const MAX_OPERATIONS: usize = 200;
/// Fields of all types together, inherited ones counted in each type that inherits them: what
/// the generated code grows with.
pub const MAX_FIELDS: usize = 20_000;
/// The generated Rust source.
pub const MAX_GENERATED_BYTES: usize = 8 << 20;

/// Refuses a contract beyond the operation and field counts, before any code is emitted (the
/// type count and the extension depth are checked while reading it).
pub(crate) fn check_contract(contract: &Contract, file: &str) -> Result<(), Error> {
    if contract.operations.len() > MAX_OPERATIONS {
        return Err(Error::new(
            file,
            "portType",
            format!(
                "{} operations, more than the {MAX_OPERATIONS} the generator takes",
                contract.operations.len()
            ),
        ));
    }
    let fields: usize = contract.types.iter().map(|t| t.fields.len()).sum();
    if fields > MAX_FIELDS {
        let widest = contract.types.iter().max_by_key(|t| t.fields.len());
        return Err(Error::new(
            file,
            widest.map_or("types", |t| t.name.as_str()),
            format!("{fields} fields in all (inherited ones counted in each type), more than the {MAX_FIELDS} the generator takes"),
        ));
    }
    Ok(())
}

/// What one generation may spend: bytes of generated code (counted as each type is emitted, so a
/// contract that would exceed [`MAX_GENERATED_BYTES`] stops there, not after writing it all) and,
/// when a deadline is given, time.
pub(crate) struct Budget {
    file: String,
    deadline: Option<std::time::Instant>,
    bytes: usize,
}

impl Budget {
    pub(crate) fn new(file: &str, deadline: Option<std::time::Instant>) -> Budget {
        Budget {
            file: file.to_string(),
            deadline,
            bytes: 0,
        }
    }

    /// An error once the deadline has passed, saying what was being done.
    pub(crate) fn check_time(&self, doing: &str) -> Result<(), Error> {
        match self.deadline {
            Some(deadline) if std::time::Instant::now() > deadline => Err(Error::new(
                &self.file,
                "definitions",
                format!("out of time while {doing}"),
            )),
            _ => Ok(()),
        }
    }

    /// Counts `tokens` (the code emitted for `element`) against the size limit, and the time.
    pub(crate) fn spend(
        &mut self,
        tokens: &proc_macro2::TokenStream,
        element: &str,
    ) -> Result<(), Error> {
        // Formatting adds indentation and line breaks: a quarter more than the tokens' own text
        // (the bundled contract: 305 KB of tokens, 401 KB formatted).
        self.bytes += tokens.to_string().len() * 5 / 4;
        self.check_size(self.bytes, element)?;
        self.check_time(&format!("generating {element}"))
    }

    /// An error when `bytes` of code exceed the limit.
    pub(crate) fn check_size(&self, bytes: usize, element: &str) -> Result<(), Error> {
        if bytes > MAX_GENERATED_BYTES {
            return Err(Error::new(
                &self.file,
                element,
                format!("the generated code would exceed {MAX_GENERATED_BYTES} bytes"),
            ));
        }
        Ok(())
    }
}
