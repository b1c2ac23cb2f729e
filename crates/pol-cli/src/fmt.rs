//! `pol fmt`: rewrite policy files in the canonical layout, atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pol_engine::{load, PolicySource};

use crate::{render, Exit};

pub fn run(policies: Option<&Path>, paths: &[PathBuf], check: bool) -> Exit {
    let source = match crate::policy_source(policies) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let roots: Vec<PathBuf> = match (paths.is_empty(), source) {
        (false, _) => paths.to_vec(),
        (true, PolicySource::Directory(dir)) => vec![dir],
        (true, PolicySource::Project(project)) => vec![project.policies],
        (true, _) => {
            eprintln!("error: name the files or directories to format, like `pol fmt policies/`\n  help: the shipped policies are built into pol and cannot be rewritten in place");
            return Exit::Misuse;
        }
    };
    let colour = render::use_colour();
    let mut problems = Vec::new();
    let files = load::policy_files(&roots, &mut problems);
    if !problems.is_empty() {
        for e in &problems {
            eprint!("{}", render::load_error(e).render(colour));
        }
        return Exit::Misuse;
    }
    let mut exit = Exit::Ok;
    let mut changed = 0;
    for path in &files {
        let text = match load::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprint!("{}", render::load_error(&e).render(colour));
                exit = Exit::BadInput;
                continue;
            }
        };
        let name = path.display().to_string();
        let formatted = match pol_syntax::format::format(pol_syntax::FileId(0), &text) {
            Ok(f) => f,
            Err(d) => {
                let sources =
                    pol_compiler::SourceMap::new(vec![pol_compiler::Source { name, text }]);
                eprint!("{}", render::report(&d, &sources).render(colour));
                exit = Exit::BadInput;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if check {
            println!("{name}: not formatted");
            exit = Exit::BadInput;
        } else if let Err(e) = write_atomically(path, &formatted) {
            eprintln!("error: cannot write {name}: {e}\n  help: the file was left as it was");
            exit = Exit::BadInput;
        } else {
            println!("formatted {name}");
        }
    }
    if check && changed == 0 && exit == Exit::Ok {
        eprintln!(
            "{} file{} formatted",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        );
    }
    exit
}

/// Writes beside the file and renames over it, so the file is never half written.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("policy".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.pol-fmt-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
