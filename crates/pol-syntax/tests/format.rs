//! `pol fmt` on every `.pol` file in the repository, one test per file: formatting succeeds
//! on every file that parses (its own check guarantees the same tree and the same
//! comments), and is idempotent; the shipped policies are formatted.

use std::path::Path;

use pol_syntax::format::format;
use pol_syntax::FileId;

/// Formats `text`, or fails naming the file and the formatter's first complaint.
fn formatted(path: &Path, text: &str) -> datatest_stable::Result<String> {
    format(FileId(0), text).map_err(|d| {
        let why = d.first().map(|d| d.message.as_str()).unwrap_or("no message");
        format!("{}: {why}", path.display()).into()
    })
}

/// A file that parses formats, and formatting it twice changes nothing more.
fn idempotent(path: &Path, bytes: Vec<u8>) -> datatest_stable::Result<()> {
    // The bad-input corpus holds files that are not UTF-8, or do not parse, on purpose.
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(());
    };
    if !pol_syntax::parse(FileId(0), &text).is_ok() {
        return Ok(());
    }
    let once = formatted(path, &text)?;
    let twice = formatted(path, &once)?;
    if once != twice {
        return Err(format!("{}: formatting twice changed it", path.display()).into());
    }
    Ok(())
}

/// A shipped policy is as `pol fmt` writes it.
fn shipped_is_formatted(path: &Path, text: String) -> datatest_stable::Result<()> {
    if formatted(path, &text)? != text {
        return Err(format!("{} is not formatted: run `pol fmt policies`", path.display()).into());
    }
    Ok(())
}

datatest_stable::harness! {
    { test = idempotent, root = "../../policies", pattern = r"\.pol$" },
    { test = idempotent, root = "../../tests/data", pattern = r"\.pol$" },
    { test = shipped_is_formatted, root = "../../policies", pattern = r"\.pol$" },
}
