//! The layering the README states: each module of `src/` imports only modules of its own layer or
//! the layers before it, and no two modules import each other. Read off every `crate::` path in the
//! code (comments left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layers in order: a module may use modules of earlier layers.
const LAYERS: &[&[&str]] = &[
    &["text", "ident"],
    &["schema", "error", "usage"],
    &["ingest"],
    &["normalize"],
    &["rules"],
    &["area"],
    &["pipeline"],
    &["report"],
    &["sharded"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules each file of `dir` (recursively) refers to through `crate::`.
fn uses(dir: &Path, out: &mut BTreeSet<String>) {
    let paths: Vec<_> = if dir.is_dir() {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![dir.to_path_buf()]
    };
    for path in paths {
        if path.is_dir() {
            uses(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        }
    }
}

#[test]
fn modules_use_only_earlier_layers_and_never_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for module in LAYERS.iter().flat_map(|l| l.iter()).chain(&["generate"]) {
        let dir = src.join(module);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{module}.rs"))
        };
        let mut used = BTreeSet::new();
        uses(&path, &mut used);
        used.remove(*module);
        graph.insert(module, used);
    }
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        for dep in used {
            let ok = match (*module, layer_of(module), layer_of(dep)) {
                // The generator stands apart: the schema's column names at most.
                ("generate", _, _) => dep == "schema",
                (_, Some(m), Some(d)) => d <= m,
                _ => false,
            };
            if !ok {
                wrong.push(format!("{module} uses {dep}"));
            }
            if graph
                .get(dep.as_str())
                .is_some_and(|back| back.contains(*module))
            {
                wrong.push(format!("{module} and {dep} use each other"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The check sees the imports it must see.
    assert!(graph["pipeline"].contains("rules") && graph["report"].contains("pipeline"));
}
