//! Embeds build facts (commit, time, the `--version` line), bundles the dashboard's modules
//! into one script (`build/bundle.rs`), gives the dashboard's files content-hashed names (`build/hashed.rs`), gzips them (the binary carries them compressed:
//! about 1 MB less), and makes cargo notice new migrations and assets, which
//! `include_str!`/`include_bytes!` in macros would otherwise miss on incremental builds.

#[path = "build/bundle.rs"]
mod bundle;
#[path = "build/hashed.rs"]
mod hashed;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=build");
    // The commit changes with HEAD and the branch it points to. Git says where those live: in a
    // worktree `.git` is a file, and a path that does not exist would make cargo rerun this
    // script, and rebuild the crate, on every build. Outside a checkout there is nothing to watch.
    for file in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=DUTYDUCK_GIT_COMMIT={commit}");
    // What `dutyduck --version` prints after the name: which code a bug report is about.
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let described = match commit.as_str() {
        "" => format!("{version} (commit unknown: built outside a git checkout)"),
        commit => format!("{version} (commit {commit})"),
    };
    println!("cargo:rustc-env=DUTYDUCK_VERSION={described}");

    // Reproducible when SOURCE_DATE_EPOCH is set; otherwise the time of this build script run.
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=DUTYDUCK_BUILD_EPOCH={epoch}");

    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let out = out_dir.join("assets");
    let _ = std::fs::remove_dir_all(&out);
    let mut files = BTreeMap::new();
    read_tree(Path::new("assets"), "", &mut files);
    // The dashboard's modules as one script (`index.html` loads it); the modules stay too.
    let app = bundle::bundle("app/main.js", &files).unwrap_or_else(|e| panic!("{e}"));
    files.insert("app/bundle.js".to_owned(), app.into_bytes());
    let (files, immutable) = hashed::with_hashed_names(files);
    gzip_all(&files, &out);
    // `web` serves these names as immutable.
    let list = format!("pub const IMMUTABLE: &[&str] = &{immutable:?};\n");
    std::fs::write(out_dir.join("hashed_assets.rs"), list).expect("writing the hashed list");
}

/// Every file under `dir` except notes (`*.md`), by its path under `assets/`.
fn read_tree(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).expect("reading assets/") {
        let path = entry.expect("reading assets/").path();
        let name = path.file_name().expect("a file name").to_string_lossy();
        let key = format!("{prefix}{name}");
        if path.is_dir() {
            read_tree(&path, &format!("{key}/"), files);
        } else if path.extension().is_none_or(|e| e != "md") {
            files.insert(key, std::fs::read(&path).expect("reading an asset"));
        }
    }
}

/// Each file gzipped under its name in `to`; `web` serves them as they are to clients that
/// accept gzip. The gzip header holds no time or name, so the output depends on the content only.
fn gzip_all(files: &BTreeMap<String, Vec<u8>>, to: &Path) {
    for (name, data) in files {
        let target = to.join(name);
        std::fs::create_dir_all(target.parent().expect("under to"))
            .expect("creating the compressed assets dir");
        let mut gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::best());
        gz.write_all(data).expect("writing to memory");
        std::fs::write(&target, gz.finish().expect("writing to memory"))
            .expect("writing a compressed asset");
    }
}

/// What `git args` prints, trimmed; None without git or outside a checkout.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
}
