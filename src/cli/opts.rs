//! A subcommand's options as the commands read them: given on the subcommand or on the root.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::ArgMatches;

/// A subcommand's options, falling back to the root command's (`sips-wallet --url … add-card`).
#[derive(Clone, Copy)]
pub(super) struct Opts<'a> {
    sub: &'a ArgMatches,
    root: &'a ArgMatches,
}

impl<'a> Opts<'a> {
    pub(super) fn of(root: &'a ArgMatches) -> Opts<'a> {
        let sub = root.subcommand().map_or(root, |(_, sub)| sub);
        Opts { sub, root }
    }

    /// The matches that hold `id`: the subcommand's when given there (flag or environment), else
    /// the root's when given there, else the subcommand's default.
    fn source(&self, id: &str) -> &'a ArgMatches {
        let given = |m: &ArgMatches| {
            matches!(
                m.try_contains_id(id).ok().and_then(|_| m.value_source(id)),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        if given(self.sub) || !given(self.root) {
            self.sub
        } else {
            self.root
        }
    }

    pub(super) fn string(&self, id: &str) -> Option<&'a str> {
        self.source(id)
            .try_get_one::<String>(id)
            .ok()
            .flatten()
            .map(String::as_str)
    }

    pub(super) fn path(&self, id: &str) -> Option<&'a PathBuf> {
        self.source(id).try_get_one::<PathBuf>(id).ok().flatten()
    }

    pub(super) fn number(&self, id: &str) -> Option<u64> {
        self.source(id)
            .try_get_one::<u64>(id)
            .ok()
            .flatten()
            .copied()
    }
}
