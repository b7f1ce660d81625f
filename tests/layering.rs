//! The library's modules form layers: each imports only from the layers below it, so the
//! trainer knows nothing of searches, and the search knows the model only through `objective`.
//! This test reads the sources and fails on an import from a layer above (test code aside).

use std::fs;
use std::path::Path;

/// Lowest first: a module may use those before it in this list, never those after.
const LAYERS: [&str; 8] = [
    "mlp",
    "data",
    "space",
    "objective",
    "search",
    "runner",
    "report",
    "cli",
];

/// The non-test source of a file: everything before its first `#[cfg(test)]`.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The layers `text` refers to as `crate::LAYER` (or `super::super::LAYER`-free paths).
fn uses(text: &str) -> Vec<&'static str> {
    LAYERS
        .iter()
        .copied()
        .filter(|layer| {
            text.match_indices(&format!("crate::{layer}"))
                .any(|(i, m)| {
                    !text[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
        })
        .collect()
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let mut wrong = Vec::new();
    for (rank, layer) in LAYERS.iter().enumerate() {
        let mut sources = Vec::new();
        let file = Path::new("src").join(format!("{layer}.rs"));
        match file.is_file() {
            true => sources.push(file),
            false => files(&Path::new("src").join(layer), &mut sources),
        }
        assert!(!sources.is_empty(), "src/{layer} has no sources");
        for path in sources {
            for used in uses(&code(&path)) {
                let used_rank = LAYERS.iter().position(|l| *l == used).unwrap();
                if used_rank > rank {
                    wrong.push(format!("{} uses crate::{used}", path.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports from a layer above:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert_eq!(
        uses("use crate::search::Study;\nuse crate::mlp::X;"),
        ["mlp", "search"]
    );
    assert!(uses("use crate::searcher::X;").is_empty());
}
