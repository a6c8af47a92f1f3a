//! The command tree: flags, headings and help, one subcommand per operation of the contracts.
//!
//! `common` holds the flags several subcommands share, `serve` the simulator's.

mod common;
mod serve;

use clap::{Arg, ArgAction, Command};
use sips_wallet::contract::SENSITIVE_FIELDS;
use sips_wallet::message::{DynOperation, FieldKind, Occurs};
use sips_wallet::Environment;

use std::path::PathBuf;

use super::operations;
pub(crate) use common::{
    connection_args, credential_args, flag_name, output_arg, seal_algorithm_arg, show_seed,
    CONNECTION, CREDENTIAL_FIELDS, DRY_RUN,
};
use serve::serve_command;

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("sips-wallet")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Sips 2.0 (Sogenactif) Office Server wallet client, with a local simulator.")
        .long_about(
            "Sips 2.0 (Sogenactif) Office Server wallet client, with a local simulator.\n\n\
             With no command, a guided tour runs the client against the bundled simulator.\n\
             Secrets: the secret key comes from SIPS_SECRET_KEY or --secret-key-file, card numbers \
             from standard input or a file; neither should be a plain argument (it shows in `ps`).\n\
             Exit codes: 0 success, 1 failure, 2 usage error, 3 answered with a code other than 00, \
             4 a change whose outcome was unknown, found not applied by reading the wallet \
             (found applied: 0).",
        )
        .args(connection_args());
    for operation in operations() {
        cmd = cmd.subcommand(operation_command(operation));
    }
    cmd.subcommand(serve_command())
        .subcommand(
            Command::new("seal")
                .about("Explains a seal: the fields in seal order, the sealed string, the seal")
                .args(credential_args(CONNECTION))
                .arg(seal_algorithm_arg())
                .arg(output_arg())
                .arg(
                    Arg::new("file")
                        .help("a JSON message or a SOAP envelope (default: standard input)"),
                )
                .arg(
                    Arg::new("expect")
                        .long("expect")
                        .help("a seal to compare with"),
                )
                .arg(
                    Arg::new("reveal")
                        .long("reveal")
                        .action(ArgAction::SetTrue)
                        .help("show card numbers in clear in the sealed string"),
                ),
        )
        .subcommand(
            Command::new("contract")
                .about("The contract this build speaks, against what a service publishes")
                .subcommand_required(true)
                .subcommand(
                    Command::new("check")
                        .about("Compares the built-in contract with a service's ?wsdl (or a saved copy): exit 0 when they match, 3 when they differ")
                        .arg(
                            Arg::new("env")
                                .long("env")
                                .value_parser(
                                    Environment::NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                                )
                                .help("a named platform (default sogenactif-test)"),
                        )
                        .arg(
                            Arg::new("url")
                                .long("url")
                                .conflicts_with("env")
                                .help("a base URL: its /services/v2/wallet?wsdl is fetched"),
                        )
                        .arg(
                            Arg::new("file")
                                .long("file")
                                .value_name("WSDL")
                                .value_parser(clap::value_parser!(PathBuf))
                                .conflicts_with_all(["env", "url"])
                                .help("a saved WSDL (its XSDs beside it, named as its schemaLocations end)"),
                        )
                        .arg(
                            Arg::new("timeout")
                                .long("timeout")
                                .value_name("SECONDS")
                                .value_parser(common::seconds())
                                .default_value("30")
                                .help("seconds to fetch and read the contract"),
                        )
                        .arg(
                            Arg::new("strict")
                                .long("strict")
                                .action(ArgAction::SetTrue)
                                .help("count as changes the restrictions publishing tools leave out (lists of values published as text, fields published optional)"),
                        ),
                ),
        )
        .subcommand(
            Command::new("completions")
                .about("Prints a shell completion script (e.g. `sips-wallet completions bash > /etc/bash_completion.d/sips-wallet`)")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

pub(super) fn operation_command(operation: &'static dyn DynOperation) -> Command {
    let info = operation.info();
    let mut cmd = Command::new(info.command)
        .about(first_sentence(info.documentation))
        .long_about(info.documentation)
        .args(connection_args())
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help_heading(DRY_RUN)
                .help("print the sealed request instead of sending it (card numbers masked)"),
        )
        .arg(
            Arg::new("reveal")
                .long("reveal")
                .action(ArgAction::SetTrue)
                .requires("dry-run")
                .help_heading(DRY_RUN)
                .help("print the request exactly as it would be sent, card numbers in clear"),
        );
    for field in operation.request_fields() {
        if CREDENTIAL_FIELDS.contains(&field.name)
            || !matches!(field.kind, FieldKind::Text | FieldKind::Enum { .. })
        {
            continue;
        }
        let mut help = first_sentence(field.documentation).to_string();
        if field.occurs == Occurs::Required && field.name != "interfaceVersion" {
            help.push_str(" [required]");
        }
        if field.name == "interfaceVersion" {
            if let Some(v) = info.recommended_interface_version {
                help.push_str(&format!(" [default: {v}]"));
            }
        }
        let sensitive = SENSITIVE_FIELDS.contains(&field.name);
        if sensitive {
            help.push_str(" (`-` reads it from standard input)");
        }
        let mut arg = Arg::new(field.name).long(flag_name(field.name)).help(help);
        if let FieldKind::Enum { values, .. } = field.kind {
            let values: Vec<&'static str> =
                values.iter().copied().filter(|v| !v.is_empty()).collect();
            arg = arg
                .value_parser(clap::builder::PossibleValuesParser::new(values))
                .hide_possible_values(values_too_many(field.kind));
        }
        cmd = cmd.arg(arg);
        if sensitive {
            let file = format!("{}-file", flag_name(field.name));
            cmd = cmd.arg(
                Arg::new(file.clone())
                    .long(file)
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .conflicts_with(field.name)
                    .help(format!("read {} from this file", field.name)),
            );
        }
    }
    cmd
}

pub(super) fn values_too_many(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Enum { values, .. } if values.len() > 8)
}

/// The first sentence of a documentation string; "e.g." and "i.e." do not end one.
pub(super) fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find(". ") {
        let end = from + at;
        let before = &text[..end];
        if before.ends_with("e.g") || before.ends_with("i.e") {
            from = end + 2;
            continue;
        }
        return before;
    }
    text.trim_end_matches('.')
}
