//! Floors only look down, checked by the project itself (not by a tool outside the repository):
//! no import circle between the modules of any crate of the workspace, none between the modules
//! inside any folder, and the simulator never reaches the client, directly or through another
//! module. A module's references are its `crate::`, `super::` and `self::` paths (in `use` trees
//! and in code), its children's names, and what the crate root re-exports; comments and string
//! literals are ignored. Generated code counts as part of the module that includes it; a module
//! may not import its parent wholesale (`use super::*`), which would hide what it takes from its
//! siblings. And no hand-written file is longer than a person reads in one sitting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

/// The modules of one crate, by path (the root is `[]`), each with its source.
struct Crate {
    name: &'static str,
    modules: BTreeMap<ModPath, String>,
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn crates() -> Vec<Crate> {
    let generated = |name: &str| {
        std::fs::read_to_string(Path::new(env!("OUT_DIR")).join(name)).unwrap_or_default()
    };
    let mut library = load("sips-wallet", &Path::new(ROOT).join("src/lib.rs"));
    // The generated contracts and their client methods, included by these modules.
    for (module, file) in [
        (vec!["contract"], "wallet.rs"),
        (vec!["inapp"], "inapp.rs"),
        (vec!["client", "methods"], "wallet_client.rs"),
        (vec!["client", "methods"], "inapp_client.rs"),
    ] {
        let module: ModPath = module.into_iter().map(String::from).collect();
        let generated = generated(file);
        assert!(!generated.is_empty(), "the generated {file} was not found");
        if let Some(source) = library.modules.get_mut(&module) {
            source.push_str(&strip(&generated));
        }
    }
    vec![
        library,
        load("sips-wallet (binary)", &Path::new(ROOT).join("src/main.rs")),
        load(
            "sips-wallet-runtime",
            &Path::new(ROOT).join("runtime/src/lib.rs"),
        ),
        load(
            "sips-wallet-codegen",
            &Path::new(ROOT).join("codegen/src/lib.rs"),
        ),
    ]
}

/// Every module reachable from `root` by `mod NAME;` (test modules left out).
fn load(name: &'static str, root: &Path) -> Crate {
    let mut modules = BTreeMap::new();
    let mut pending = vec![(ModPath::new(), root.to_path_buf())];
    while let Some((path, file)) = pending.pop() {
        let source = strip(&std::fs::read_to_string(&file).unwrap_or_default());
        let dir: PathBuf = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for child in declared_modules(&source) {
            let mut child_path = path.clone();
            child_path.push(child.clone());
            let flat = dir.join(format!("{child}.rs"));
            let folder = dir.join(&child).join("mod.rs");
            if flat.exists() {
                pending.push((child_path, flat));
            } else if folder.exists() {
                pending.push((child_path, folder));
            }
        }
        modules.insert(path, source);
    }
    Crate { name, modules }
}

/// `mod NAME;` declarations, those under `#[cfg(test)]` left out.
fn declared_modules(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut test_next = false;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("#[cfg(test)]") {
            test_next = true;
            continue;
        }
        let declared = line
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = declared {
            if !test_next {
                found.push(name.trim().to_string());
            }
        }
        if !line.starts_with("#[") {
            test_next = false;
        }
    }
    found
}

/// The source with comments and the insides of string and character literals removed.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = |k: usize| chars.get(i + k).copied();
        match (chars[i], rest(1)) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('r', Some('#' | '"'))
                if i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') =>
            {
                let hashes = (1..).take_while(|k| rest(*k) == Some('#')).count();
                if rest(hashes + 1) != Some('"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let closing: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let body: String = chars[i + hashes + 2..].iter().collect();
                let end = body
                    .find(&closing)
                    .map_or(body.len(), |e| e + closing.len());
                out.push_str("\"\"");
                i += hashes + 2 + body[..end].chars().count();
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                out.push_str("\"\"");
                i += 1;
            }
            ('\'', _) => {
                // A character literal, or a lifetime (kept).
                let literal =
                    (2..=10).find(|k| rest(*k) == Some('\'') && (rest(1) == Some('\\') || *k == 2));
                match literal {
                    Some(k) => {
                        out.push_str("' '");
                        i += k + 1;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The paths a module's source names: `crate::…`, `super::…`, `self::…`, in `use` trees (braces
/// expanded) and in code, resolved to absolute segments.
fn named_paths(module: &ModPath, source: &str) -> Vec<ModPath> {
    let mut paths = Vec::new();
    let bytes = source.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = source[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            let before = at.checked_sub(1).map(|b| bytes[b]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
                continue;
            }
            let base: ModPath = match start {
                "crate::" => Vec::new(),
                "super::" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.clone(),
            };
            for tail in use_tree(&source[at + start.len()..]) {
                let mut path = base.clone();
                let mut segments = tail.into_iter();
                // `super::super::x`.
                for segment in segments.by_ref() {
                    if segment == "super" {
                        path.pop();
                    } else {
                        path.push(segment);
                        break;
                    }
                }
                path.extend(segments);
                paths.push(path);
            }
        }
    }
    paths
}

/// The paths of a use tree or path at the start of `text` (`a::b`, `a::{b, c::d}`, `{a, b}`).
fn use_tree(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        let mut items = Vec::new();
        let (mut depth, mut current) = (0, String::new());
        for c in inner.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        items.push(current);
        return items.iter().flat_map(|item| use_tree(item)).collect();
    }
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        return Vec::new();
    }
    let rest = &text[ident.len()..];
    match rest.strip_prefix("::") {
        Some(rest) => {
            let tails = use_tree(rest);
            if tails.is_empty() {
                vec![vec![ident]]
            } else {
                tails
                    .into_iter()
                    .map(|tail| std::iter::once(ident.clone()).chain(tail).collect())
                    .collect()
            }
        }
        None => vec![vec![ident]],
    }
}

/// What the crate root re-exports: the name, and the module it comes from (`pub use a::{B, C}`).
fn reexports(root: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for statement in root.split(';') {
        let Some(tree) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        for path in use_tree(tree) {
            if let (Some(first), Some(last)) = (path.first(), path.last()) {
                found.insert(last.clone(), first.clone());
            }
        }
    }
    found
}

/// Each module's references, as the longest module path each named path starts with.
fn graph(krate: &Crate) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let root = krate.modules.get(&Vec::new()).cloned().unwrap_or_default();
    let reexported = reexports(&root);
    let mut edges = BTreeMap::new();
    for (module, source) in &krate.modules {
        let mut targets = BTreeSet::new();
        for mut path in named_paths(module, source) {
            if path.len() == 1 {
                if let Some(from) = reexported.get(&path[0]) {
                    path = vec![from.clone()];
                }
            }
            while !path.is_empty() && !krate.modules.contains_key(&path) {
                path.pop();
            }
            if !path.is_empty() && &path != module {
                targets.insert(path);
            }
        }
        edges.insert(module.clone(), targets);
    }
    edges
}

/// The import circles among the children of `parent` (each child standing for everything under
/// it): each circle's members.
fn circles(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>, parent: &ModPath) -> Vec<Vec<String>> {
    let child_of = |path: &ModPath| -> Option<String> {
        (path.len() > parent.len() && path.starts_with(parent)).then(|| path[parent.len()].clone())
    };
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in edges {
        let Some(from_child) = child_of(from) else {
            continue;
        };
        let entry = children.entry(from_child.clone()).or_default();
        for target in targets {
            if let Some(to_child) = child_of(target) {
                if to_child != from_child {
                    entry.insert(to_child);
                }
            }
        }
    }
    // Mutual reachability, by a search from each child: the graphs are small.
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(node) = stack.pop() {
            for next in children.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        children.keys().map(|c| (c, reach(c))).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for (child, reachable) in &reached {
        if reachable.contains(*child) {
            let circle: Vec<String> = reachable
                .iter()
                .filter(|other| reached.get(other).is_some_and(|r| r.contains(*child)))
                .cloned()
                .collect();
            found.insert(circle);
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut problems = Vec::new();
    for krate in crates() {
        assert!(krate.modules.len() > 1, "{}: no modules found", krate.name);
        let edges = graph(&krate);
        // The crate's top level, then every folder module's children.
        let mut parents: Vec<ModPath> = vec![Vec::new()];
        parents.extend(
            krate
                .modules
                .keys()
                .filter(|m| {
                    !m.is_empty()
                        && krate
                            .modules
                            .keys()
                            .any(|c| c.len() > m.len() && c.starts_with(m))
                })
                .cloned(),
        );
        for parent in parents {
            for circle in circles(&edges, &parent) {
                problems.push(format!(
                    "{} {}: {}",
                    krate.name,
                    parent.join("::"),
                    circle.join(" ⇄ ")
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "import circles:\n{}",
        problems.join("\n")
    );
}

/// A module that takes everything of its parent (`use super::*;`) also takes what the parent
/// took from its other children, and those uses name no module: the circle check would not see
/// them. Outside test modules, imports name what they use.
#[test]
fn no_module_imports_its_parent_wholesale() {
    let mut found = Vec::new();
    for krate in crates() {
        for (module, source) in &krate.modules {
            for line in source.lines() {
                if line.starts_with("use super::") && line.contains('*') {
                    found.push(format!("{} {}: {line}", krate.name, module.join("::")));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "glob imports of a parent:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_simulator_never_reaches_the_client() {
    let library = crates().remove(0);
    let edges = graph(&library);
    let mut seen: BTreeSet<ModPath> = BTreeSet::new();
    let mut stack: Vec<(ModPath, Vec<String>)> = edges
        .keys()
        .filter(|m| m.first().map(String::as_str) == Some("simulator"))
        .map(|m| (m.clone(), vec![m.join("::")]))
        .collect();
    while let Some((module, trail)) = stack.pop() {
        for target in edges.get(&module).into_iter().flatten() {
            assert!(
                target.first().map(String::as_str) != Some("client"),
                "the simulator reaches the client: {} → {}",
                trail.join(" → "),
                target.join("::")
            );
            if seen.insert(target.clone()) {
                let mut next = trail.clone();
                next.push(target.join("::"));
                stack.push((target.clone(), next));
            }
        }
    }
}

#[test]
fn the_checker_sees_a_circle_when_there_is_one() {
    let mut modules = BTreeMap::new();
    modules.insert(vec![], "mod a; mod b;".to_string());
    modules.insert(vec!["a".to_string()], "use crate::b::thing;".to_string());
    modules.insert(
        vec!["b".to_string()],
        "fn f() { super::a::g() } // crate::c".to_string(),
    );
    let krate = Crate {
        name: "sample",
        modules,
    };
    assert_eq!(
        circles(&graph(&krate), &vec![]),
        vec![vec!["a".to_string(), "b".to_string()]]
    );
    assert_eq!(
        use_tree("{a::{b, c}, d} x"),
        vec![vec!["a", "b"], vec!["a", "c"], vec!["d"]]
            .into_iter()
            .map(|p| p.into_iter().map(String::from).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        strip("a // crate::x\n\"crate::y\" 'c' 'a"),
        "a \n\"\" ' ' 'a"
    );
}

/// Every `.rs` file under `dir` (recursively), skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("target" | "corpus" | "artifacts")
            ) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files a person can read in one sitting: no hand-written source file over 500 lines, no test
/// file over 600 (generated code lives in the build's output folder, never in the tree).
#[test]
fn no_hand_written_file_is_too_long_to_read() {
    let root = Path::new(ROOT);
    let mut too_long = Vec::new();
    for (folders, limit) in [
        (
            &[
                "src",
                "runtime/src",
                "codegen/src",
                "benches",
                "examples",
                "fuzz/fuzz_targets",
            ][..],
            500,
        ),
        (&["tests", "codegen/tests", "fuzz/tests"][..], 600),
    ] {
        let mut files = Vec::new();
        for folder in folders {
            rust_files(&root.join(folder), &mut files);
        }
        assert!(!files.is_empty(), "no files under {folders:?}");
        for file in files {
            let lines = std::fs::read_to_string(&file)
                .unwrap_or_default()
                .lines()
                .count();
            if lines > limit {
                too_long.push(format!(
                    "{} ({lines} lines, at most {limit})",
                    file.display()
                ));
            }
        }
    }
    for file in ["build.rs", "runtime/build.rs", "codegen/build.rs"] {
        let path = root.join(file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            if text.lines().count() > 500 {
                too_long.push(path.display().to_string());
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "files too long to read in one sitting:\n{}",
        too_long.join("\n")
    );
}
