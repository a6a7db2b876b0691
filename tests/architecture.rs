//! The shape of the code, checked: dependencies between the files of `src/`
//! run one way, so each file can be read (and changed) knowing only the
//! files below it.
//!
//! A file depends on another when it names an item of that file's module
//! through `crate::`, `super::`, `self::` or a child module it declares, in a
//! `use` or inline. Declaring a child module (`mod x;`) is structure, not a
//! dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn no_file_of_src_depends_on_itself_through_others() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = Graph::of(&src);
    let circles = graph.circles();
    assert!(
        circles.is_empty(),
        "import circles among the files of src/; their dependencies on each other:\n{}",
        circles
            .iter()
            .map(|c| graph.describe(c))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn the_reader_sees_uses_inline_paths_and_child_modules() {
    let text = r#"
        mod child;
        use crate::a::{b::{C, D}, e};
        // use crate::commented::Out;
        fn f() { let s = "crate::quoted::Out"; crate::inline::g(); super::up::h(); child::k(); }
    "#;
    let paths = references(text, &["crate".into(), "m".into()]);
    let paths: BTreeSet<String> = paths.into_iter().map(|p| p.join("::")).collect();
    for expected in [
        "crate::a::b::C",
        "crate::a::b::D",
        "crate::a::e",
        "crate::inline::g",
        "crate::up::h",
        "crate::m::child::k",
    ] {
        assert!(paths.contains(expected), "{expected} not in {paths:?}");
    }
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("commented") || p.contains("quoted"))
    );
}

struct Graph {
    /// Module path (`crate::a::b`) → file, relative to src/.
    modules: BTreeMap<Vec<String>, String>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn of(src: &Path) -> Graph {
        let mut files = Vec::new();
        walk(src, &mut files);
        let mut modules = BTreeMap::new();
        for file in &files {
            if let Some(module) = module_of(src, file) {
                modules.insert(module, relative(src, file));
            }
        }
        let mut graph = Graph {
            modules,
            edges: BTreeMap::new(),
        };
        for file in &files {
            let Some(module) = module_of(src, file) else {
                continue;
            };
            let text = std::fs::read_to_string(file).unwrap();
            let from = relative(src, file);
            for path in references(&text, &module) {
                if let Some(to) = graph.file_of(&path)
                    && to != from
                {
                    graph.edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
        graph
    }

    /// The file defining the longest module prefix of an absolute path.
    fn file_of(&self, path: &[String]) -> Option<String> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]).cloned())
    }

    fn describe(&self, component: &[String]) -> String {
        component
            .iter()
            .map(|from| {
                let to: Vec<&str> = self.edges[from]
                    .iter()
                    .filter(|t| component.contains(t))
                    .map(String::as_str)
                    .collect();
                format!("  {from} → {}", to.join(", "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Strongly connected components of more than one file (Tarjan).
    fn circles(&self) -> Vec<Vec<String>> {
        struct Walk<'g> {
            graph: &'g Graph,
            index: BTreeMap<String, usize>,
            low: BTreeMap<String, usize>,
            stack: Vec<String>,
            on_stack: BTreeSet<String>,
            found: Vec<Vec<String>>,
        }
        impl Walk<'_> {
            fn visit(&mut self, node: &str) {
                let n = self.index.len();
                self.index.insert(node.to_owned(), n);
                self.low.insert(node.to_owned(), n);
                self.stack.push(node.to_owned());
                self.on_stack.insert(node.to_owned());
                let next: Vec<String> = self
                    .graph
                    .edges
                    .get(node)
                    .map(|e| e.iter().cloned().collect())
                    .unwrap_or_default();
                for to in next {
                    if !self.index.contains_key(&to) {
                        self.visit(&to);
                        let low = self.low[node].min(self.low[&to]);
                        self.low.insert(node.to_owned(), low);
                    } else if self.on_stack.contains(&to) {
                        let low = self.low[node].min(self.index[&to]);
                        self.low.insert(node.to_owned(), low);
                    }
                }
                if self.low[node] == self.index[node] {
                    let mut component = Vec::new();
                    while let Some(top) = self.stack.pop() {
                        self.on_stack.remove(&top);
                        let done = top == node;
                        component.push(top);
                        if done {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort();
                        self.found.push(component);
                    }
                }
            }
        }
        let mut walk = Walk {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            found: Vec::new(),
        };
        for file in self.modules.values() {
            if !walk.index.contains_key(file) {
                walk.visit(file);
            }
        }
        walk.found
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn relative(src: &Path, file: &Path) -> String {
    file.strip_prefix(src).unwrap().display().to_string()
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `crate::a::b`; main.rs is the binary.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("main") if parts.len() == 1 => return None,
        Some("lib") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(std::iter::once("crate".to_owned()).chain(parts).collect())
}

/// Every path `text` names, made absolute from the module it is in.
fn references(text: &str, module: &[String]) -> Vec<Vec<String>> {
    // Unit tests sit at the end of their file and may use anything.
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    let code = strip_comments_and_strings(text);
    let children: BTreeSet<String> = declared_children(&code);
    let mut found = Vec::new();
    for path in paths(&code) {
        let mut absolute: Vec<String> = match path[0].as_str() {
            "crate" | "$crate" => vec!["crate".into()],
            "super" => module[..module.len().saturating_sub(1)].to_vec(),
            "self" => module.to_vec(),
            child if children.contains(child) => {
                let mut m = module.to_vec();
                m.push(child.to_owned());
                m
            }
            _ => continue,
        };
        let mut rest = &path[1..];
        while rest.first().is_some_and(|s| s == "super") {
            absolute.pop();
            rest = &rest[1..];
        }
        absolute.extend(rest.iter().cloned());
        found.push(absolute);
    }
    found
}

fn declared_children(code: &str) -> BTreeSet<String> {
    let tokens: Vec<&str> = code
        .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
        .filter(|t| !t.is_empty())
        .collect();
    tokens
        .windows(2)
        .filter(|w| w[0] == "mod")
        .map(|w| w[1].to_owned())
        .collect()
}

/// Paths in `use` trees (expanded) and inline `a::b::c` paths.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if starts_word(&bytes, i, "use") {
            let end = bytes[i..].iter().position(|&c| c == ';').map(|p| i + p);
            if let Some(end) = end {
                let tree: String = bytes[i + 3..end].iter().collect();
                for path in expand_use(&tree) {
                    out.push(path);
                }
                i = end + 1;
                continue;
            }
        }
        if (bytes[i].is_alphabetic() || bytes[i] == '_' || bytes[i] == '$')
            && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':')
        {
            let mut j = i;
            let mut segments = Vec::new();
            loop {
                let start = j;
                while j < bytes.len() && (is_ident(bytes[j]) || (j == start && bytes[j] == '$')) {
                    j += 1;
                }
                segments.push(bytes[start..j].iter().collect::<String>());
                if j + 2 < bytes.len()
                    && bytes[j] == ':'
                    && bytes[j + 1] == ':'
                    && (is_ident(bytes[j + 2]) || bytes[j + 2] == '$')
                {
                    j += 2;
                } else {
                    break;
                }
            }
            if segments.len() > 1 {
                out.push(segments);
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

fn starts_word(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() > i + w.len()
        && chars[i..i + w.len()] == w[..]
        && chars[i + w.len()].is_whitespace()
        && (i == 0 || !is_ident(chars[i - 1]))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `crate::a::{b::{C, D}, e}` → crate::a::b::C, crate::a::b::D, crate::a::e.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            let mut parts = Vec::new();
            for (k, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parts.push(&inner[start..k]);
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            parts.push(&inner[start..]);
            let full: Vec<String> = prefix.iter().cloned().chain(head).collect();
            for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
                expand(&full, part, out);
            }
        } else {
            let path = tree.split(" as ").next().unwrap_or(tree);
            let segments: Vec<String> = prefix
                .iter()
                .cloned()
                .chain(
                    path.split("::")
                        .map(str::trim)
                        .filter(|s| !s.is_empty() && *s != "self" && *s != "*")
                        .map(str::to_owned),
                )
                .collect();
            if !segments.is_empty() {
                out.push(segments);
            }
        }
    }
    let mut out = Vec::new();
    let tree = tree.trim().trim_start_matches("pub(crate)").trim();
    expand(&[], tree, &mut out);
    out
}

/// The code with comments and string and char literals blanked out.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !prev_ident(&chars, i) {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            let end = chars[i + 2..]
                .iter()
                .position(|&c| c == '\'')
                .map(|p| i + 2 + p);
            out.push_str("' '");
            i = end.map_or(chars.len(), |e| e + 1);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_ident(chars: &[char], i: usize) -> bool {
    i > 0 && is_ident(chars[i - 1])
}
