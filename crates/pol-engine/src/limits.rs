//! How much `pol` reads at most. Policy directories come from pull requests and case files
//! from other systems, so every read is bounded: a file is read through
//! [`std::io::Read::take`] of its limit plus one byte, never read whole and then measured,
//! and what is larger is refused with a message naming the limit. Peak memory follows from
//! these numbers, whatever the input (ARCHITECTURE.md, "Bounded resources"; docs/cli.md,
//! "Limits").

/// Worker threads per core at most: `--jobs` (of `pol eval` and `pol diff`) above this is
/// clamped; more threads than this only add memory and switching.
pub const MAX_JOBS_PER_CORE: usize = 4;

/// The worker threads for `--jobs N` (default: one per core): at least one, at most
/// [`MAX_JOBS_PER_CORE`] per core.
pub fn workers(jobs: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let most = cores.saturating_mul(MAX_JOBS_PER_CORE);
    jobs.unwrap_or(cores).clamp(1, most.max(1))
}

/// One `.pol` file. The largest shipped policy is under 20 KiB; a generated one of
/// 16 MiB checks and formats in seconds.
pub const POLICY_FILE: u64 = 16 * MIB;

/// All the `.pol` files of one policy set together, imports included.
pub const POLICY_SET: u64 = 64 * MIB;

/// One case document (JSON, YAML or TOML). A case is a few hundred bytes of facts (an id
/// or a note may be long); parsers build trees of a few times the text's size, so this
/// bounds them too.
pub const CASE_FILE: u64 = 8 * MIB;

/// One line of JSON lines: one case, as [`CASE_FILE`]. A batch holds at most about two
/// such lines per worker in memory.
pub const CASE_LINE: usize = 8 * MIB as usize;

/// A line of JSON lines longer than this ends the stream: it is not JSON lines (a link to
/// `/dev/zero`), and reading on would never end. Lines between [`CASE_LINE`] and this are
/// reported and skipped without being held.
pub const LINE_GIVEN_UP: u64 = 256 * MIB;

/// A JSON-lines file read whole (by `pol explain` and policy tests; `pol eval` streams
/// JSON lines of any length).
pub const CASE_LINES_FILE: u64 = 64 * MIB;

/// One policy-test file (YAML).
pub const TEST_FILE: u64 = 16 * MIB;

/// A project file, `pol.toml`.
pub const PROJECT_FILE: u64 = 64 * KIB;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// A size for people: `16 MiB`, `64 KiB`, `100 bytes`.
pub fn describe(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_described_in_their_unit() {
        assert_eq!(describe(POLICY_FILE), "16 MiB");
        assert_eq!(describe(PROJECT_FILE), "64 KiB");
        assert_eq!(describe(1000), "1000 bytes");
    }
}
