//! The dashboard's ES modules as ONE script, so a first load costs one request instead of one per
//! module (about 60 over HTTP/1.1's six connections: ten waves of round trips).
//!
//! Each module reachable from the entry becomes a function run once, in the order a browser would
//! evaluate the modules (dependencies first, in import order), whose exports land in `__m`:
//!
//! ```js
//! __m["app/x.js"] = (function () {
//! const { a, b: c } = __m["app/y.js"];      // import { a, b as c } from './y.js';
//! function f() {}                           // export function f() {}
//! return { f, z: __m["app/y.js"].z };       // + export { z } from './y.js';
//! })();
//! ```
//!
//! A module's imports are read once, when it runs: that equals ES modules' live bindings only
//! when every imported module has finished running first (no import cycle) and no exported
//! binding changes later (no `export let`). Whatever this plain transform cannot keep equal is
//! refused with the file's name, failing the build: cycles, `export let`/`var`, `export *`,
//! `export default function|class`, dynamic `import()`, `import.meta`, top-level `await`.
//! Statements are recognized at the start of a line; a local `export{a as h,…}` list also after
//! a `;` (the vendored minified module ends with one).

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

/// The modules reachable from `entry` (a path of `files`, e.g. `app/main.js`) as one script.
pub fn bundle(entry: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<String, String> {
    let mut modules = BTreeMap::new();
    let mut order = Vec::new();
    visit(entry, files, &mut modules, &mut Vec::new(), &mut order)?;
    // An ES module importing a name its dependency does not export fails to load; a bundled
    // one would read `undefined` instead, so the build says so.
    for (path, module) in &modules {
        for (dep, name) in &module.wants {
            if !modules[dep].names.contains(name) {
                return Err(format!(
                    "{path} imports `{name}` from {dep}, which does not export it"
                ));
            }
        }
    }
    let mut out = format!(
        "// The dashboard's modules from {entry}, bundled by build.rs (build/bundle.rs): each \
         runs once,\n// dependencies first; `__m` holds each module's exports by path.\n\
         const __m = {{}};\n"
    );
    for path in order {
        out.push_str(&format!(
            "\n// --- {path} ---\n__m[\"{path}\"] = (function () {{\n{}\n}})();\n",
            modules[&path].body
        ));
    }
    Ok(out)
}

/// Depth first, dependencies before their importers; `stack` is the import chain being visited.
fn visit(
    path: &str,
    files: &BTreeMap<String, Vec<u8>>,
    done: &mut BTreeMap<String, Module>,
    stack: &mut Vec<String>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    if done.contains_key(path) {
        return Ok(());
    }
    if let Some(at) = stack.iter().position(|p| p == path) {
        let cycle = [&stack[at..], &[path.to_owned()]].concat().join(" → ");
        return Err(format!(
            "import cycle {cycle}: the bundle needs modules without cycles (move the shared part \
             into a module both import)"
        ));
    }
    let data = files.get(path).ok_or_else(|| {
        format!(
            "{} imports {path}, which is not in assets/",
            stack.join(" → ")
        )
    })?;
    let text = std::str::from_utf8(data).map_err(|_| format!("{path} is not UTF-8"))?;
    let module = transform(path, text)?;
    stack.push(path.to_owned());
    for dep in &module.imports {
        visit(dep, files, done, stack, order)?;
    }
    stack.pop();
    done.insert(path.to_owned(), module);
    order.push(path.to_owned());
    Ok(())
}

/// One module turned into a function body: its imports (paths, in order), the body, the names
/// it takes from each import and the names it exports.
pub struct Module {
    pub imports: Vec<String>,
    pub body: String,
    pub wants: Vec<(String, String)>,
    pub names: Vec<String>,
}

/// `path`'s text with its import and export statements turned into plain statements and a final
/// `return { exports }`; an error naming `path` for what the bundle cannot keep equal.
pub fn transform(path: &str, text: &str) -> Result<Module, String> {
    let refuse = |what: &str| {
        Err(format!(
            "{path}: {what} cannot be bundled (build/bundle.rs)"
        ))
    };
    let checks = [
        (
            r"(?m)^export\s+(let|var)\b",
            "`export let`/`export var` (export a const or a function)",
        ),
        (r"(?m)^export\s*\*", "`export *` (name the exports)"),
        (
            r"(?m)^export\s+default\s+(async\s+)?(function|class)\b",
            "`export default function|class` (export default an expression, or name it)",
        ),
        (r"\bimport\s*\(", "a dynamic `import()`"),
        (r"\bimport\.meta\b", "`import.meta`"),
        (
            r"(?m)^(?:(?:const|let|var)\s+[^=\n]+=\s*)?await\b",
            "a top-level `await`",
        ),
    ];
    for (pattern, what) in checks {
        if Regex::new(pattern).unwrap().is_match(text) {
            return refuse(what);
        }
    }
    let statement = Regex::new(concat!(
        r#"(?m)(?:^|;)[ \t]*(?:"#,
        // 1 names, 2 source: import { a, b as c } from './x.js'
        r#"import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]"#,
        // 3 name, 4 source: import x from './x.js'
        r#"|import\s+([\w$]+)\s+from\s*['"]([^'"]+)['"]"#,
        // 5 source: import './x.js'
        r#"|import\s*['"]([^'"]+)['"]"#,
        // 6 names, 7 source (absent: a local list): export { a, b as c } [from './x.js']
        r#"|export\s*\{([^}]*)\}(?:\s*from\s*['"]([^'"]+)['"])?"#,
        // 8: export default <expression>
        r#"|(export\s+default\s)"#,
        // 9 name: export [async] function [*] f, export const f, export class F
        r#"|export\s+(?:(?:async\s+)?function\s*\*?|const|class)\s+([\w$]+)"#,
        r#")[ \t]*;?"#,
    ))
    .unwrap();
    let mut imports = Vec::new();
    let mut wants: Vec<(String, String)> = Vec::new();
    let mut exports: Vec<String> = Vec::new();
    let mut body = String::with_capacity(text.len());
    let mut at = 0;
    for caps in statement.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        // Mid-line, after a `;`, only a local export list is taken (the vendored module ends
        // with one): anything else there may be text in a string.
        let local_list = caps.get(6).is_some() && caps.get(7).is_none();
        if whole.as_str().starts_with(';') && !local_list {
            continue;
        }
        // A leading `;` ends the statement before: it stays.
        let start = whole.start() + usize::from(text[whole.start()..].starts_with(';'));
        body.push_str(&text[at..start]);
        at = whole.end();
        let source = |i: usize| {
            let spec = caps.get(i).unwrap().as_str();
            if !spec.starts_with("./") && !spec.starts_with("../") {
                return Err(format!("{path}: `{spec}` is not a relative import"));
            }
            Ok(super::hashed::resolve(path, spec))
        };
        if let (Some(names), Some(_)) = (caps.get(1), caps.get(2)) {
            let dep = source(2)?;
            body.push_str(&format!(
                "const {{ {} }} = __m[\"{dep}\"];",
                renames(names.as_str())
            ));
            wants.extend(
                pairs(names.as_str())
                    .into_iter()
                    .map(|(from, _)| (dep.clone(), from)),
            );
            imports.push(dep);
        } else if let Some(name) = caps.get(3) {
            let dep = source(4)?;
            body.push_str(&format!(
                "const {{ default: {} }} = __m[\"{dep}\"];",
                name.as_str()
            ));
            wants.push((dep.clone(), "default".to_owned()));
            imports.push(dep);
        } else if caps.get(5).is_some() {
            imports.push(source(5)?);
        } else if let Some(names) = caps.get(6) {
            let pairs = pairs(names.as_str());
            match caps.get(7) {
                Some(_) => {
                    let dep = source(7)?;
                    exports.extend(
                        pairs
                            .iter()
                            .map(|(local, exported)| format!("{exported}: __m[\"{dep}\"].{local}")),
                    );
                    wants.extend(pairs.iter().map(|(local, _)| (dep.clone(), local.clone())));
                    imports.push(dep);
                }
                None => exports.extend(pairs.iter().map(|(local, exported)| {
                    if local == exported {
                        local.clone()
                    } else {
                        format!("{exported}: {local}")
                    }
                })),
            }
        } else if caps.get(8).is_some() {
            body.push_str("const __default = ");
            exports.push("default: __default".to_owned());
        } else if let Some(name) = caps.get(9) {
            // The declaration stays, without its `export`.
            let decl = whole.as_str().trim_start_matches(';').trim_start();
            body.push_str(decl.trim_start_matches("export").trim_start());
            exports.push(name.as_str().to_owned());
        }
    }
    body.push_str(&text[at..]);
    let left = Regex::new(r"(?m)^[ \t]*(import|export)\b").unwrap();
    if let Some(m) = left.find(&body) {
        let line = body[m.start()..].lines().next().unwrap_or("");
        return refuse(&format!("this statement: `{line}`"));
    }
    let unique: BTreeSet<&String> = exports.iter().collect();
    if unique.len() != exports.len() {
        return refuse("an export named twice");
    }
    body.push_str(&format!("\nreturn {{ {} }};", exports.join(", ")));
    // `name` or `name: expression`.
    let names = exports
        .iter()
        .map(|e| e.split(':').next().unwrap_or(e).trim().to_owned())
        .collect();
    Ok(Module {
        imports,
        body,
        wants,
        names,
    })
}

/// `a, b as c` → [(a, a), (b, c)].
fn pairs(list: &str) -> Vec<(String, String)> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| match item.split_once(" as ") {
            Some((local, exported)) => (local.trim().to_owned(), exported.trim().to_owned()),
            None => (item.to_owned(), item.to_owned()),
        })
        .collect()
}

/// `a, b as c` → `a, b: c` (a destructuring pattern).
fn renames(list: &str) -> String {
    pairs(list)
        .into_iter()
        .map(|(from, to)| {
            if from == to {
                from
            } else {
                format!("{from}: {to}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
