//! What `pol` may print where: colour, decided for each stream on its own, and the form of
//! errors on standard error. Settled once at start-up from the flags and the environment.

use std::sync::OnceLock;

use crate::cli::{ColorWhen, ErrorFormat};

/// The settings for this run.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    /// Colour on standard output (human explanations).
    pub stdout_colour: bool,
    /// Colour on standard error (reports, summaries).
    pub stderr_colour: bool,
    pub errors: ErrorFormat,
}

static TERM: OnceLock<Term> = OnceLock::new();

/// Settles the settings from `--color`, `--error-format` and the environment.
pub fn init(color: ColorWhen, errors: ErrorFormat) {
    let _ = TERM.set(Term {
        stdout_colour: colour(color, supports_color::Stream::Stdout),
        stderr_colour: colour(color, supports_color::Stream::Stderr),
        errors,
    });
}

/// The settings; before [`init`] (never, in `pol`), no colour and human errors.
pub fn get() -> Term {
    TERM.get().copied().unwrap_or(Term {
        stdout_colour: false,
        stderr_colour: false,
        errors: ErrorFormat::Human,
    })
}

/// Whether to colour `stream`. `--color always|never` decides alone; `auto` asks
/// `supports-color`, which reads, in this order: `FORCE_COLOR` and `CLICOLOR_FORCE` (colour
/// even into a pipe), `NO_COLOR` and `TERM=dumb` (none), then whether the stream is a
/// terminal that shows colour.
fn colour(when: ColorWhen, stream: supports_color::Stream) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => supports_color::on(stream).is_some(),
    }
}

/// Whether standard error is a terminal (for the progress bar and the batch summary).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Whether errors go out as JSON objects.
pub fn json_errors() -> bool {
    get().errors == ErrorFormat::Json
}
