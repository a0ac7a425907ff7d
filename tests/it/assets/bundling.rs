//! The bundler (`build/bundle.rs`) on small trees: what each import and export form becomes, the
//! evaluation order, and the forms it refuses, naming the file.

use std::collections::BTreeMap;

use super::bundle::{bundle, transform};

fn tree(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(p, d)| (p.to_string(), d.as_bytes().to_vec()))
        .collect()
}

#[test]
fn imports_become_reads_of_the_module_table_and_exports_a_returned_object() {
    let text = "\
// A comment.
import { a, b as c } from './lib.js';
import {
  d,
} from '../up.js';
import messages from './messages-x.js';
import './side.js';
export { whole, n as m } from './forms.js';
export const K = 1;
export function f() { return a; }
export async function g() {}
export class C {}
const local = 2;
export { local as exported };
export default { key: 'export const not_a_statement' };
";
    let module = transform("app/pages/p.js", text).unwrap();
    assert_eq!(
        module.imports,
        [
            "app/pages/lib.js",
            "app/up.js",
            "app/pages/messages-x.js",
            "app/pages/side.js",
            "app/pages/forms.js"
        ]
    );
    assert_eq!(
        module.body,
        "\
// A comment.
const { a, b: c } = __m[\"app/pages/lib.js\"];
const { d } = __m[\"app/up.js\"];
const { default: messages } = __m[\"app/pages/messages-x.js\"];


const K = 1;
function f() { return a; }
async function g() {}
class C {}
const local = 2;

const __default = { key: 'export const not_a_statement' };

return { whole: __m[\"app/pages/forms.js\"].whole, m: __m[\"app/pages/forms.js\"].n, K, f, g, C, exported: local, default: __default };"
    );
}

#[test]
fn a_minified_module_exports_its_final_list() {
    let module = transform(
        "vendor/v-1.mjs",
        "var a=1;function b(){return a};export{a as x,b};",
    )
    .unwrap();
    assert_eq!(
        module.body,
        "var a=1;function b(){return a};\nreturn { x: a, b };"
    );
}

#[test]
fn statements_are_only_taken_where_a_statement_starts() {
    let text = "const s = 'a; export default b; import x from \\'./y.js\\'';\nexport const t = s;";
    let module = transform("app/x.js", text).unwrap();
    assert!(module.imports.is_empty());
    assert_eq!(
        module.body,
        "const s = 'a; export default b; import x from \\'./y.js\\'';\nconst t = s;\nreturn { t };"
    );
}

#[test]
fn modules_run_once_dependencies_first_in_import_order() {
    let files = tree(&[
        (
            "app/main.js",
            "import { a } from './a.js';\nimport { b } from './b.js';\na(b);",
        ),
        (
            "app/a.js",
            "import { c } from './c.js';\nexport const a = c;",
        ),
        (
            "app/b.js",
            "import { c } from './c.js';\nexport const b = c;",
        ),
        ("app/c.js", "export const c = 1;"),
        ("app/unused.js", "export const u = 1;"),
    ]);
    let out = bundle("app/main.js", &files).unwrap();
    let order: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("// --- "))
        .collect();
    assert_eq!(
        order,
        [
            "app/c.js ---",
            "app/a.js ---",
            "app/b.js ---",
            "app/main.js ---"
        ]
    );
    assert!(out.starts_with("// The dashboard's modules from app/main.js"));
    assert!(out.contains("const __m = {};\n"));
    assert!(out.contains("__m[\"app/c.js\"] = (function () {\nconst c = 1;\nreturn { c };\n})();"));
}

#[test]
fn a_cycle_fails_naming_it() {
    let files = tree(&[
        ("app/main.js", "import { a } from './a.js';"),
        (
            "app/a.js",
            "import { b } from './b.js';\nexport const a = 1;",
        ),
        (
            "app/b.js",
            "import { a } from './a.js';\nexport const b = 1;",
        ),
    ]);
    let error = bundle("app/main.js", &files).unwrap_err();
    assert!(
        error.starts_with("import cycle app/a.js → app/b.js → app/a.js"),
        "{error}"
    );
    let missing = tree(&[("app/main.js", "import { a } from './gone.js';")]);
    let error = bundle("app/main.js", &missing).unwrap_err();
    assert!(
        error.contains("app/gone.js, which is not in assets/"),
        "{error}"
    );
}

#[test]
fn a_name_its_module_does_not_export_fails_naming_both() {
    let files = tree(&[
        (
            "app/main.js",
            "import { a, typo } from './a.js';\nimport words from './a.js';",
        ),
        ("app/a.js", "export const a = 1;\nexport default {};"),
    ]);
    let error = bundle("app/main.js", &files).unwrap_err();
    assert_eq!(
        error,
        "app/main.js imports `typo` from app/a.js, which does not export it"
    );
    let fixed = tree(&[
        (
            "app/main.js",
            "import { a } from './a.js';\nimport words from './a.js';",
        ),
        ("app/a.js", "export const a = 1;\nexport default {};"),
    ]);
    assert!(bundle("app/main.js", &fixed).is_ok());
}

#[test]
fn what_the_bundle_cannot_keep_equal_fails_naming_the_file() {
    for (text, what) in [
        ("export let x = 1;", "`export let`"),
        ("export var x = 1;", "`export let`"),
        ("export * from './y.js';", "`export *`"),
        (
            "export default function f() {}",
            "`export default function|class`",
        ),
        ("export default class {}", "`export default function|class`"),
        ("const m = import('./y.js');", "dynamic `import()`"),
        ("const u = import.meta.url;", "`import.meta`"),
        ("const r = await fetch('/x');", "top-level `await`"),
        ("await start();", "top-level `await`"),
        ("import { x } from 'preact';", "not a relative import"),
        (
            "import * as y from './y.js';",
            "this statement: `import * as y",
        ),
        ("export { a };\nexport { a };", "an export named twice"),
    ] {
        let error = transform("app/x.js", text)
            .err()
            .unwrap_or_else(|| panic!("{text}"));
        assert!(error.starts_with("app/x.js: "), "{error}");
        assert!(error.contains(what), "{text}: {error}");
    }
    // Inside a function, `await` is fine.
    assert!(transform("app/x.js", "async function f() {\n  await g();\n}").is_ok());
}
