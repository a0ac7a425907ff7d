//! Content-hashed names for the dashboard's files, so browsers may keep them forever
//! (`immutable`) and a warm reload asks for `index.html` alone.
//!
//! A file's name carries the hash of its content AND of every file it reaches through its
//! references (relative `import … from './x.js'`, `import('./x.js')`, and quoted
//! `/dashboard/<file>` URLs): a changed `lib.js` renames every module importing it, directly or
//! not, so no cached module can import a stale one. Hashing the closure instead of the rewritten
//! text works for import cycles too. `vendor/` files carry their version in their name already
//! and keep it; HTML files keep theirs (they are the entry points) but point at hashed names,
//! and `index.html` gets a `<link rel="modulepreload">` per module its script reaches, so the
//! browser asks for all of them at once instead of discovering imports level by level.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use sha2::{Digest, Sha256};

/// Where `index.html` wants its preload links.
const PRELOAD_MARKER: &str = "<!-- modulepreload -->";

/// One reference in a text file: the byte range of the written path and the file it names.
struct Ref {
    start: usize,
    end: usize,
    target: String,
    /// An ES module import, or a page's `<script type="module">` (not a URL that a script
    /// loads or shows, nor a classic script).
    import: bool,
}

/// Files by path under `assets/` (`app/main.js`). Returns the same files plus a hashed copy of
/// each hashable one (the unhashed one keeps its content, so old URLs still answer), HTML
/// pointing at hashed names, and the sorted list of hashed paths.
pub fn with_hashed_names(
    files: BTreeMap<String, Vec<u8>>,
) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let refs: BTreeMap<&str, Vec<Ref>> = files
        .iter()
        .map(|(path, data)| (path.as_str(), references(path, data, &files)))
        .collect();
    let names: BTreeMap<&str, String> = files
        .keys()
        .filter(|p| hashable(p))
        .map(|p| (p.as_str(), hashed_name(p, &closure(p, &refs), &files)))
        .collect();

    let mut out = files.clone();
    for (path, data) in &files {
        let rewritten = || rewrite(path, data, &refs[path.as_str()], &names);
        if let Some(name) = names.get(path.as_str()) {
            out.insert(name.clone(), rewritten());
        } else if path.ends_with(".html") {
            let mut html = String::from_utf8(rewritten()).expect("HTML is UTF-8");
            if html.contains(PRELOAD_MARKER) {
                html = html.replace(PRELOAD_MARKER, &preloads(path, &refs, &names));
            }
            out.insert(path.clone(), html.into_bytes());
        }
    }
    // Sorted by hashed name, for `web`'s binary search (not the same order as the paths').
    let mut hashed: Vec<String> = names.into_values().collect();
    hashed.sort();
    (out, hashed)
}

/// Files that get a hashed copy: the app's own code, styles and images, and the web app manifest
/// (its `id` keeps the installed app the same whatever its URL). Not the service worker:
/// browsers look for its new versions at the URL it was registered with.
fn hashable(path: &str) -> bool {
    !path.starts_with("vendor/")
        && path != "sw.js"
        && [".js", ".mjs", ".css", ".svg", ".webmanifest"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

fn is_text(path: &str) -> bool {
    [".js", ".mjs", ".css", ".html"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The references of a text file to other files of the tree.
fn references(path: &str, data: &[u8], files: &BTreeMap<String, Vec<u8>>) -> Vec<Ref> {
    if !is_text(path) {
        return Vec::new();
    }
    let text = std::str::from_utf8(data).expect("dashboard text files are UTF-8");
    let relative = Regex::new(r#"(?:\bfrom|\bimport)\s*\(?\s*['"](\.\.?/[^'"]+)['"]"#).unwrap();
    let absolute = Regex::new(r#"['"(]/dashboard/([^'"()\s?#]+)"#).unwrap();
    let mut found = Vec::new();
    for caps in relative.captures_iter(text) {
        let m = caps.get(1).unwrap();
        let target = resolve(path, m.as_str());
        assert!(
            files.contains_key(&target),
            "{path} imports {}, which is not in assets/",
            m.as_str()
        );
        found.push(Ref {
            start: m.start(),
            end: m.end(),
            target,
            import: true,
        });
    }
    for caps in absolute.captures_iter(text) {
        let m = caps.get(1).unwrap();
        if files.contains_key(m.as_str()) {
            // In HTML, `<script type="module" src=…>` is the entry of the module graph.
            let tag = &text[text[..m.start()].rfind('<').unwrap_or(0)..m.start()];
            let import = path.ends_with(".html") && tag.contains("type=\"module\"");
            let target = m.as_str().to_owned();
            found.push(Ref {
                start: m.start(),
                end: m.end(),
                target,
                import,
            });
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// `./x.js` or `../x.js` written in `from`, as a path of the tree (the bundle resolves with it too).
pub fn resolve(from: &str, specifier: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in specifier.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop().expect("an import above assets/");
            }
            name => parts.push(name),
        }
    }
    parts.join("/")
}

/// `path` and every file it reaches.
fn closure<'a>(path: &'a str, refs: &'a BTreeMap<&str, Vec<Ref>>) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::from([path]);
    let mut todo = vec![path];
    while let Some(p) = todo.pop() {
        for r in refs.get(p).into_iter().flatten() {
            if seen.insert(r.target.as_str()) {
                todo.push(r.target.as_str());
            }
        }
    }
    seen
}

/// `app/main.js` → `app/main.<hash>.js`, the hash covering every file of `closure`.
fn hashed_name(path: &str, closure: &BTreeSet<&str>, files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hasher = Sha256::new();
    for p in closure {
        hasher.update(p.as_bytes());
        hasher.update([0]);
        hasher.update(&files[*p]);
        hasher.update([0]);
    }
    let hash = hex(&hasher.finalize()[..6]);
    let dot = path.rfind('.').expect("hashable files have an extension");
    format!("{}.{hash}{}", &path[..dot], &path[dot..])
}

/// The text with each reference to a hashed file pointing at its hashed name.
fn rewrite(path: &str, data: &[u8], refs: &[Ref], names: &BTreeMap<&str, String>) -> Vec<u8> {
    if !is_text(path) {
        return data.to_vec();
    }
    let text = std::str::from_utf8(data).expect("UTF-8");
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for r in refs {
        let Some(hashed) = names.get(r.target.as_str()) else {
            continue;
        };
        let written = &text[r.start..r.end];
        // Only the file name changes: the written directory part stays as it was.
        let file = hashed.rsplit('/').next().unwrap();
        let dir = written.rfind('/').map_or("", |i| &written[..=i]);
        out.push_str(&text[at..r.start]);
        out.push_str(dir);
        out.push_str(file);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out.into_bytes()
}

/// `<link rel="modulepreload">` for every module the page's module scripts import, directly or
/// not, in path order (classic scripts, like theme.js or uPlot loaded on demand, are no modules).
fn preloads(page: &str, refs: &BTreeMap<&str, Vec<Ref>>, names: &BTreeMap<&str, String>) -> String {
    let mut modules: BTreeSet<&str> = refs[page]
        .iter()
        .filter(|r| r.import)
        .map(|r| r.target.as_str())
        .collect();
    let mut todo: Vec<&str> = modules.iter().copied().collect();
    while let Some(p) = todo.pop() {
        for r in refs.get(p).into_iter().flatten().filter(|r| r.import) {
            if modules.insert(r.target.as_str()) {
                todo.push(r.target.as_str());
            }
        }
    }
    modules
        .into_iter()
        .map(|p| {
            let url = names.get(p).map_or(p, String::as_str);
            format!("<link rel=\"modulepreload\" href=\"/dashboard/{url}\">")
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
