//! JSON lines, cut into chunks of whole lines for workers to decode: the one reader behind
//! `pol eval` of JSON lines and `pol diff --cases`, so both hold the same bounds on a line.

use std::io::Read;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::thread::{Scope, ScopedJoinHandle};

use crate::limits;
use crate::load::WithoutBom;

/// A run of whole lines of the input.
#[derive(Debug)]
pub struct Chunk {
    /// Its place among the chunks, from 0, for putting output back in input order.
    pub seq: u64,
    /// The 1-based number of its first line.
    pub first_line: u64,
    pub bytes: Vec<u8>,
    /// The chunk stands for one line longer than [`limits::CASE_LINE`], not read (`bytes`
    /// is empty).
    pub overlong: bool,
}

/// Cuts `input` (less a leading byte-order mark) into chunks of whole lines, about
/// `chunk_bytes` each, numbered in input order, and hands each to `take`; stops, with no
/// error, as soon as `take` returns `false` (its receiver is gone).
///
/// A line longer than [`limits::CASE_LINE`] is never held: it becomes an `overlong`
/// chunk of its own and is skipped to its end, so `/dev/zero` costs no memory. One that
/// runs on past [`limits::LINE_GIVEN_UP`] is an error, as is a failed read.
pub fn read_chunks(
    input: impl Read,
    chunk_bytes: usize,
    mut take: impl FnMut(Chunk) -> bool,
) -> std::io::Result<()> {
    let mut input = WithoutBom::new(input);
    let chunk_bytes = chunk_bytes.max(1);
    let mut seq = 0;
    let mut line = 1;
    // The start of a line that the last read cut in two.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = std::mem::take(&mut carry);
        let start = buf.len();
        buf.resize(start + chunk_bytes, 0);
        let mut filled = start;
        while filled < buf.len() {
            match input.read(buf.get_mut(filled..).unwrap_or(&mut [])) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        let eof = filled < start + chunk_bytes;
        // Cut after the last newline; keep the rest for the next chunk.
        let cut = match memchr::memrchr(b'\n', buf.get(start..).unwrap_or(&[])) {
            Some(i) => start + i + 1,
            None if eof => buf.len(),
            // No newline yet and the line is past the limit: report it in its place and
            // skip to its end, never holding more of it (`/dev/zero` costs no memory).
            None if buf.len() > limits::CASE_LINE => {
                let chunk = Chunk { seq, first_line: line, bytes: Vec::new(), overlong: true };
                if !take(chunk) {
                    return Ok(());
                }
                seq += 1;
                line += 1;
                drop(buf);
                match skip_line(&mut input, chunk_bytes)? {
                    Some(rest) => {
                        carry = rest;
                        continue;
                    }
                    None => return Ok(()),
                }
            }
            // No newline yet: a line longer than a chunk. Read on.
            None => {
                carry = buf;
                continue;
            }
        };
        carry = buf.get(cut..).map(<[u8]>::to_vec).unwrap_or_default();
        buf.truncate(cut);
        if !buf.is_empty() {
            let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
            let chunk = Chunk { seq, first_line: line, bytes: buf, overlong: false };
            if !take(chunk) {
                return Ok(());
            }
            seq += 1;
            line += lines;
        }
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// Reads past the end of the current line: `Some` of what follows its line end, or `None`
/// at the end of the input.
fn skip_line(input: &mut dyn Read, chunk_bytes: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0; chunk_bytes.max(1)];
    let mut skipped: u64 = 0;
    loop {
        if skipped > limits::LINE_GIVEN_UP {
            return Err(std::io::Error::other(format!(
                "a line runs on past {}; this is not JSON lines, and pol stops reading it",
                limits::describe(limits::LINE_GIVEN_UP)
            )));
        }
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        skipped = skipped.saturating_add(n as u64);
        let read = buf.get(..n).unwrap_or(&[]);
        if let Some(i) = memchr::memchr(b'\n', read) {
            return Ok(Some(read.get(i + 1..).unwrap_or(&[]).to_vec()));
        }
    }
}

/// One worker's share of a stream of chunks: each `next` takes the next chunk no other
/// worker has taken, and ends when the stream does.
pub struct SharedChunks(Arc<Mutex<Receiver<Chunk>>>);

impl Iterator for SharedChunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        // The lock is held only while one chunk is taken. A poisoned lock means another
        // worker panicked: this one stops too, and the reader's sends then fail.
        let chunks = self.0.lock().ok()?;
        chunks.recv().ok()
    }
}

/// Starts up to `count` threads named `name` in `scope`, each running `work` on its
/// [`SharedChunks`] of `chunks`, and returns their handles.
///
/// The system may refuse threads: the work runs on those it gave, and the error is
/// returned only when it gave none. `chunks` and `work` are dropped on return, so once
/// the workers stop, the sender's sends fail and anything `work` holds (a sender of its
/// own) is gone with the last worker.
pub fn spawn_workers<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    name: &str,
    count: usize,
    chunks: Receiver<Chunk>,
    work: impl FnOnce(SharedChunks) -> T + Clone + Send + 'scope,
) -> std::io::Result<Vec<ScopedJoinHandle<'scope, T>>> {
    let chunks = Arc::new(Mutex::new(chunks));
    let mut started = Vec::new();
    for _ in 0..count.max(1) {
        let (chunks, work) = (SharedChunks(Arc::clone(&chunks)), work.clone());
        match std::thread::Builder::new()
            .name(name.into())
            .spawn_scoped(scope, move || work(chunks))
        {
            Ok(worker) => started.push(worker),
            Err(e) if started.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Every chunk `input` is cut into, at `chunk_bytes`.
    fn chunks(input: &[u8], chunk_bytes: usize) -> Vec<Chunk> {
        let mut out = Vec::new();
        read_chunks(input, chunk_bytes, |c| {
            out.push(c);
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn chunks_hold_whole_lines_numbered_in_order() {
        let input = b"\xEF\xBB\xBFone\ntwo\nthree\nfour";
        let got = chunks(input, 6);
        let text: Vec<(u64, u64, &str)> = got
            .iter()
            .map(|c| (c.seq, c.first_line, std::str::from_utf8(&c.bytes).unwrap()))
            .collect();
        // The mark is dropped; a line longer than a chunk is read on, never cut.
        assert_eq!(text, [(0, 1, "one\n"), (1, 2, "two\n"), (2, 3, "three\n"), (3, 4, "four")]);
    }

    #[test]
    fn an_overlong_line_is_a_chunk_of_its_own_and_is_not_held() {
        let mut input = vec![b'x'; limits::CASE_LINE + 200_000];
        input.extend_from_slice(b"\nnext\n");
        let got = chunks(&input, 64 * 1024);
        assert_eq!(got.len(), 2);
        assert!(got[0].overlong && got[0].bytes.is_empty());
        assert_eq!((got[1].first_line, got[1].bytes.as_slice()), (2, &b"next\n"[..]));
    }

    #[test]
    fn workers_share_the_chunks_each_taking_each_once() {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let mut seen: Vec<u64> = std::thread::scope(|s| {
            let workers = spawn_workers(s, "test", 3, rx, |chunks| {
                chunks.map(|c: Chunk| c.seq).collect::<Vec<_>>()
            })
            .unwrap();
            read_chunks(&b"a\nb\nc\nd\ne\n"[..], 2, |c| tx.send(c).is_ok()).unwrap();
            drop(tx);
            workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
        });
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn reading_stops_when_the_taker_does() {
        let mut taken = 0;
        read_chunks(&b"a\nb\nc\n"[..], 2, |_| {
            taken += 1;
            false
        })
        .unwrap();
        assert_eq!(taken, 1);
    }
}
