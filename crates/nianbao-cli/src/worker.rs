//! Worker processes: `nianbao convert` runs N copies of itself (`nianbao convert --worker`) and
//! sends each one document at a time, so that a stack overflow, an abort, a runaway allocation
//! or an endless loop in an adapter costs one document, never the batch.
//!
//! Protocol (one answer per request, in order; the parent may send the next request before the
//! answer to the previous one, see `pool`):
//! * request, parent → worker stdin: `u32` path length (little endian), the UTF-8 display path,
//!   then either `B` and the 64 hex digits of the document's sha256, or `b` (the worker
//!   hashes it), then `u64` byte count (little endian) and the document's bytes; or `F`, the
//!   file's `u64` length as the walk saw it,
//!   `u64` largest size to read, `u32` length and bytes of the file's own path (the worker
//!   reads and hashes the file). End of input = no more work.
//! * answer, worker → parent stdout: an [`output::Written`](crate::output::Written), framed by
//!   `write_answer`: the record's facts (status, sha256, agency, year, carry totals…) as
//!   JSON, then its JSON line and its CSV row as they are. The parent takes the facts as they
//!   come and writes the line and the row without reading them. The worker keeps
//!   stdout for its answers and points its own file descriptor 1 at stderr, so that output
//!   of a library cannot enter the stream.
//!
//! The parent waits `--timeout` for an answer, then kills the worker and records the document
//! as `timeout`; a worker that dies records its document as `internal` (or `too_large` when it
//! ran out of its `--max-memory` address space). Either way a fresh worker takes the next one.
use crate::output::Written;
use crate::pool::{Answer, Doc, Job};
use nianbao_core::{ErrorKind, ExtractError, Limits};
use nianbao_sources::DiskFile;
use nianbao_template::{Record, Source};
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, IoSlice, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest display path accepted in a request (a sanity bound on a corrupt stream).
const MAX_PATH_BYTES: u32 = 1 << 16;
/// Stderr kept from a worker, for the message of the document it died on.
const STDERR_TAIL: usize = 2048;

/// The worker side: answers requests on stdin until it closes.
pub fn serve(limits: &Limits, max_memory: u64) -> io::Result<()> {
    limit_address_space(max_memory);
    let mut answers = answer_stream()?;
    let mut stdin = io::stdin().lock();
    let mut answer = Vec::with_capacity(ANSWER_CAPACITY);
    while let Some(Request { path, doc }) = read_request(&mut stdin)? {
        #[cfg(debug_assertions)]
        test_hook::check(&doc);
        let record = doc.convert(path, limits);
        // The whole answer goes out in one write: each write to the pipe can wake the
        // parent's reader.
        answer.clear();
        write_answer(&mut answer, &Written::of(&record))?;
        answers.write_all(&answer)?;
        answers.flush()?;
        if answer.capacity() > ANSWER_KEPT {
            answer = Vec::with_capacity(ANSWER_CAPACITY);
        }
    }
    Ok(())
}

/// Where a worker's answers go: its stdout, which from here on only they use (file descriptor
/// 1 then points at stderr, so that what a library prints ends up in the parent's message of
/// a failed document, not in the middle of an answer).
#[cfg(unix)]
fn answer_stream() -> io::Result<std::fs::File> {
    use std::os::fd::FromRawFd;
    io::stdout().flush()?;
    // SAFETY: dup and dup2 only copy descriptors this process owns (0, 1, 2 are open in a
    // worker: the parent gives it three pipes); the new descriptor is owned by the File alone.
    unsafe {
        let answers = libc::dup(1);
        if answers < 0 || libc::dup2(2, 1) < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(std::fs::File::from_raw_fd(answers))
    }
}

#[cfg(not(unix))]
fn answer_stream() -> io::Result<io::Stdout> {
    Ok(io::stdout())
}

/// Largest answer accepted (a sanity bound on a corrupt stream; a record line is ~22 KB).
const MAX_ANSWER_BYTES: u32 = 1 << 30;

/// Appends one answer: the `u32` length of the rest; the `u32` length and JSON of the facts;
/// the `u32` length and bytes of the record line; the bytes of the CSV row. The line and the
/// row go as they are: written as JSON strings, every quote of a record line was escaped by
/// the worker and unescaped by the parent.
fn write_answer(out: &mut Vec<u8>, written: &Written) -> io::Result<()> {
    let too_long = || io::Error::new(io::ErrorKind::InvalidData, "answer too long");
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    serde_json::to_writer(&mut *out, &written.facts)?;
    let facts = u32::try_from(out.len() - start - 8).map_err(|_| too_long())?;
    out[start + 4..start + 8].copy_from_slice(&facts.to_le_bytes());
    let line = u32::try_from(written.line.len()).map_err(|_| too_long())?;
    out.extend_from_slice(&line.to_le_bytes());
    out.extend_from_slice(written.line.as_bytes());
    out.extend_from_slice(written.row.as_bytes());
    let len = u32::try_from(out.len() - start - 4)
        .ok()
        .filter(|&n| n <= MAX_ANSWER_BYTES)
        .ok_or_else(too_long)?;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// The next answer; `None` at the end of the stream. An answer cut short or not one is an
/// error: the worker is then treated as dead.
fn read_answer(r: &mut impl Read) -> io::Result<Option<Written>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("answer {what}"));
    let len = u32::from_le_bytes(len);
    if len > MAX_ANSWER_BYTES {
        return Err(bad("too long"));
    }
    let mut buf = Vec::with_capacity(len as usize);
    r.take(u64::from(len)).read_to_end(&mut buf)?;
    if buf.len() != len as usize {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    // A `u32` length at `at` and the range of the bytes it counts.
    let part = |at: usize| -> Option<std::ops::Range<usize>> {
        let n = u32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?) as usize;
        let start = at + 4;
        buf.get(start..start + n).map(|_| start..start + n)
    };
    let facts = part(0).ok_or_else(|| bad("without its facts"))?;
    let line = part(facts.end).ok_or_else(|| bad("without its record"))?;
    let facts = serde_json::from_slice(&buf[facts])?;
    let text = |b: Vec<u8>| String::from_utf8(b).map_err(|_| bad("not UTF-8"));
    let row = text(buf.split_off(line.end))?;
    // The record line keeps the answer's allocation.
    buf.truncate(line.end);
    buf.drain(..line.start);
    Ok(Some(Written {
        facts,
        line: text(buf)?,
        row,
    }))
}

/// One document, as the worker receives it, and as the parent's writer thread sends it (the
/// bytes shared with the slot).
#[derive(Debug, PartialEq)]
struct Request {
    path: String,
    doc: Doc,
}

const SHA_HEX: usize = 64;
/// Largest buffer reserved from a request's byte count before the bytes arrive.
const PRESIZE_CAP: u64 = 64 << 20;

fn read_request(r: &mut impl Read) -> io::Result<Option<Request>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let path = String::from_utf8_lossy(&read_path(r, u32::from_le_bytes(len))?).into_owned();
    let mut tag = [0u8; 1];
    r.read_exact(&mut tag)?;
    let doc = match &tag {
        b"B" | b"b" => {
            let sha = if tag == *b"B" {
                let mut sha = [0u8; SHA_HEX];
                r.read_exact(&mut sha)?;
                Some(String::from_utf8_lossy(&sha).into_owned())
            } else {
                None
            };
            let len = read_u64(r)?;
            // Sized up front (no regrowth copies); a corrupt length only reserves up to the cap.
            let mut bytes = Vec::with_capacity(len.min(PRESIZE_CAP) as usize);
            r.take(len).read_to_end(&mut bytes)?;
            if bytes.len() as u64 != len {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            Doc::Bytes {
                sha,
                bytes: Arc::new(bytes),
            }
        }
        b"F" => {
            let (len, max_bytes) = (read_u64(r)?, read_u64(r)?);
            let mut n = [0u8; 4];
            r.read_exact(&mut n)?;
            let file = nianbao_sources::bytes_to_path(read_path(r, u32::from_le_bytes(n))?);
            Doc::File(DiskFile::new(file, len, max_bytes))
        }
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "unknown request kind",
            ))
        }
    };
    Ok(Some(Request { path, doc }))
}

fn read_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// A path of `n` bytes (a display path or a file's own), bounded against a corrupt stream.
fn read_path(r: &mut impl Read, n: u32) -> io::Result<Vec<u8>> {
    if n > MAX_PATH_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "request path too long",
        ));
    }
    let mut v = vec![0u8; n as usize];
    r.read_exact(&mut v)?;
    Ok(v)
}

/// Appends a path as its `u32` length and bytes, cut at [`MAX_PATH_BYTES`] (a path too long
/// to send then fails in the worker: a display path shortened, a file that cannot be opened).
fn push_path(head: &mut Vec<u8>, p: &[u8]) {
    let p = &p[..p.len().min(MAX_PATH_BYTES as usize)];
    head.extend_from_slice(&(p.len() as u32).to_le_bytes());
    head.extend_from_slice(p);
}

#[cfg(unix)]
fn bytes_of_path(path: &std::path::Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn bytes_of_path(path: &std::path::Path) -> &[u8] {
    path.to_str().unwrap_or("").as_bytes()
}

fn write_request(w: &mut impl Write, path: &str, doc: &Doc) -> io::Result<()> {
    let mut head = Vec::with_capacity(4 + path.len() + 1 + SHA_HEX + 8);
    push_path(&mut head, path.as_bytes());
    let (sha, bytes) = match doc {
        Doc::Bytes { sha, bytes } => (sha, bytes),
        Doc::File(file) => {
            head.push(b'F');
            head.extend_from_slice(&file.len().to_le_bytes());
            head.extend_from_slice(&file.max_bytes().to_le_bytes());
            push_path(&mut head, bytes_of_path(file.path()));
            w.write_all(&head)?;
            return w.flush();
        }
    };
    match sha {
        Some(sha) => {
            let mut hex = [b'0'; SHA_HEX];
            let n = sha.len().min(SHA_HEX);
            hex[..n].copy_from_slice(&sha.as_bytes()[..n]);
            head.push(b'B');
            head.extend_from_slice(&hex);
        }
        None => head.push(b'b'),
    }
    head.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    // One gathered write for the header and the bytes: each write to the pipe can wake the
    // worker, and five small ones per document did.
    write_all_vectored(w, &mut [IoSlice::new(&head), IoSlice::new(bytes)])?;
    w.flush()
}

/// `Write::write_all_vectored`, which is not stable yet.
fn write_all_vectored(w: &mut impl Write, mut bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Caps the worker's address space, so that a runaway allocation fails (and the worker dies
/// of it) instead of swapping the machine. 0 = no cap.
fn limit_address_space(bytes: u64) {
    #[cfg(unix)]
    if bytes > 0 {
        let lim = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and has no other effect on memory.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &lim);
        }
    }
    #[cfg(not(unix))]
    let _ = bytes;
}

/// Bytes reserved for one answer (a record line is about 22 KB).
const ANSWER_CAPACITY: usize = 48 << 10;
/// A worker's answer buffer grown past this by one large record is not kept for the next.
const ANSWER_KEPT: usize = 1 << 20;

/// How to start a worker.
#[derive(Clone)]
pub struct Spawn {
    pub exe: PathBuf,
    /// Arguments after `convert --worker`: the limits.
    pub args: Vec<OsString>,
    pub timeout: Duration,
    pub max_memory: u64,
}

/// A running worker, seen from the parent.
pub struct Worker {
    child: Child,
    /// Requests for the writer thread, which owns the worker's stdin: a large document can
    /// then be sent while the worker is still busy with the previous one, and the slot keeps
    /// watching the clock.
    requests: Option<Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    answers: Receiver<Written>,
    stderr: Arc<Mutex<String>>,
    stderr_thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn start(spawn: &Spawn) -> io::Result<Worker> {
        let mut child = Command::new(&spawn.exe)
            .args(["convert", "--worker"])
            .args(&spawn.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        widen_pipe(&stdin);
        let (requests, pending) = mpsc::channel::<Request>();
        let writer = std::thread::spawn(move || write_requests(stdin, pending));
        let stdout = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::with_capacity(64 << 10, stdout);
            // Ends at the end of the stream or at a broken answer: either way the worker is
            // done, which the slot sees as the channel closing.
            while let Ok(Some(answer)) = read_answer(&mut out) {
                if tx.send(answer).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let tail = Arc::clone(&stderr);
        let stderr_thread = std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
                t.push_str(line.trim());
                t.push_str("; ");
                if t.len() > STDERR_TAIL {
                    let cut = t.len() - STDERR_TAIL;
                    let cut = (cut..t.len())
                        .find(|&i| t.is_char_boundary(i))
                        .unwrap_or(t.len());
                    t.drain(..cut);
                }
            }
        });
        Ok(Worker {
            child,
            requests: Some(requests),
            writer: Some(writer),
            answers,
            stderr,
            stderr_thread: Some(stderr_thread),
        })
    }

    /// Queues a document for this worker (answers come back in the order of these calls).
    pub fn send(&self, job: &Job) {
        if let Some(tx) = &self.requests {
            // A closed channel means the writer stopped: the worker is gone, which
            // `answer` reports.
            let _ = tx.send(Request {
                path: job.path.clone(),
                doc: job.doc.clone(),
            });
        }
    }

    /// Waits for the answer to `job`, the oldest document sent and not yet answered. `Err`
    /// means the worker is gone (timed out and killed, or dead); the error is the record to
    /// write, and the caller must start a new worker.
    pub fn answer(&mut self, spawn: &Spawn, job: &Job) -> Result<Answer, Box<Answer>> {
        let error = match self.answers.recv_timeout(spawn.timeout) {
            Ok(written) => {
                return Ok(Answer {
                    seq: job.seq,
                    written,
                })
            }
            Err(RecvTimeoutError::Timeout) => {
                self.stop();
                let msg = format!(
                    "ran past the time limit of {} s (--timeout); its worker was stopped",
                    secs(spawn.timeout)
                );
                ExtractError::new(ErrorKind::Timeout, msg)
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.stop();
                self.death(status, spawn.max_memory)
            }
        };
        Err(Box::new(Answer {
            seq: job.seq,
            written: Written::of(&Self::failed(&job.path, &job.doc, error)),
        }))
    }

    /// The record of a document whose worker did not answer (a file left on disk is read
    /// here to describe it).
    pub fn failed(path: &str, doc: &Doc, error: ExtractError) -> Record {
        let mut source = Source {
            path: path.to_string(),
            ..Default::default()
        };
        if let Ok((bytes, sha)) = doc.open() {
            source.format = nianbao_core::detect(&bytes).map(|a| a.name().to_string());
            source.sha256 = sha.into_owned();
            source.bytes = bytes.len() as u64;
        }
        Record::failed(source, error)
    }

    /// Kills the worker (if still running) and reaps it.
    fn stop(&mut self) -> Option<ExitStatus> {
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        // The writer's pipe is broken now: it stops at its next write, or when the channel
        // closes.
        self.requests = None;
        for t in [self.writer.take(), self.stderr_thread.take()]
            .into_iter()
            .flatten()
        {
            let _ = t.join();
        }
        status
    }

    fn death(&self, status: Option<ExitStatus>, max_memory: u64) -> ExtractError {
        let tail = self
            .stderr
            .lock()
            .map(|t| t.trim_end_matches([';', ' ']).to_string())
            .unwrap_or_default();
        let how = status.map(describe_exit).unwrap_or_else(|| "died".into());
        if tail.contains("memory allocation of") {
            let msg = format!(
                "needed more memory than the limit of {} MiB (--max-memory); its worker {how}",
                max_memory >> 20
            );
            return ExtractError::new(ErrorKind::TooLarge, msg);
        }
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(": {tail}")
        };
        ExtractError::new(
            ErrorKind::Internal,
            format!("the worker converting this document {how}{tail}"),
        )
    }

    /// Ends the worker after its last document: closing stdin lets it exit by itself.
    pub fn close(mut self) {
        self.requests = None;
        if let Some(t) = self.writer.take() {
            let _ = t.join();
        }
        let _ = self.child.wait();
        if let Some(t) = self.stderr_thread.take() {
            let _ = t.join();
        }
    }
}

/// Capacity asked for a worker's request pipe, on Linux (64 KiB by default): a typical
/// document (a PDF averages 200 KB) then crosses in one write and one read instead of waking
/// each side once per 64 KiB. Pipe buffers count against a per-user allowance (64 MiB by
/// default), which 256 KiB per worker leaves room in even at a hundred workers.
#[cfg(target_os = "linux")]
const REQUEST_PIPE_BYTES: libc::c_int = 256 << 10;

#[cfg(target_os = "linux")]
fn widen_pipe(pipe: &ChildStdin) {
    use std::os::fd::AsRawFd;
    // SAFETY: F_SETPIPE_SZ only resizes the pipe's buffer. On failure (a lower system limit)
    // the pipe keeps its size, which is only slower.
    unsafe {
        libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, REQUEST_PIPE_BYTES);
    }
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe(_: &ChildStdin) {}

/// The writer thread: sends queued requests until the channel closes or the pipe breaks;
/// dropping stdin then tells the worker there is no more work.
fn write_requests(mut stdin: ChildStdin, pending: Receiver<Request>) {
    for req in pending {
        if write_request(&mut stdin, &req.path, &req.doc).is_err() {
            break;
        }
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s}")
    }
}

fn describe_exit(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                libc::SIGABRT => " (SIGABRT: abort)",
                libc::SIGSEGV => " (SIGSEGV: crash or stack overflow)",
                libc::SIGKILL => " (SIGKILL)",
                libc::SIGBUS => " (SIGBUS)",
                _ => "",
            };
            return format!("crashed with signal {sig}{name}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with code {c}"),
        None => "died".into(),
    }
}

/// Debug builds only: `NIANBAO_TEST_CRASH=<sha256>:<abort|overflow|hang|print>[,…]` makes the
/// worker abort, overflow its stack, hang, or print to stdout (as a library might) on that
/// document, so that tests can check the parent's handling of a dying or chatty worker. No such input is known among the adapters (they bound their
/// recursion), and release builds do not contain this code.
#[cfg(debug_assertions)]
mod test_hook {
    pub fn check(doc: &crate::pool::Doc) {
        let Some(spec) = std::env::var_os("NIANBAO_TEST_CRASH") else {
            return;
        };
        let Ok((_, sha)) = doc.open() else { return };
        for rule in spec.to_string_lossy().split(',') {
            let Some((want, what)) = rule.split_once(':') else {
                continue;
            };
            if want != sha {
                continue;
            }
            match what {
                "abort" => std::process::abort(),
                "overflow" => {
                    std::hint::black_box(recurse(std::hint::black_box(u64::MAX)));
                }
                "hang" => loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                },
                // Bytes that would read as the start of an answer on the answer stream.
                "print" => {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    let _ = out.write_all(b"\x10\0\0\0stray output\n");
                    let _ = out.flush();
                }
                _ => {}
            }
        }
    }

    /// Real unbounded recursion: ends in the runtime's stack-overflow abort.
    #[allow(unconditional_recursion)]
    fn recurse(n: u64) -> u64 {
        let pad = std::hint::black_box([n; 64]);
        recurse(n.wrapping_sub(1)).wrapping_add(pad[7])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers cross the pipe as the values they were: facts, line and row, text with
    /// quotes, tabs, line breaks and Chinese included; a stream cut anywhere inside an answer
    /// is an error, never a shorter answer.
    #[test]
    fn answer_round_trip() {
        use nianbao_template::record::Num;
        use nianbao_template::{Key, Status};
        let mut r = Record::new(Source {
            path: "甲/\"乙\"\t,.pdf".into(),
            sha256: "ab".repeat(32),
            bytes: 1234,
            ..Default::default()
        });
        r.status = Status::Partial;
        r.report.agency = Some("某市人民政府办公室".into());
        r.report.year = Some(2023);
        r.values
            .insert(Key::APPLICATIONS_CARRIED_OVER_TOTAL, Num::Count(7));
        r.warnings.push("行\n1, \"x\"".into());
        let failed = Record::failed(Source::default(), ExtractError::corrupt("坏\r\n"));
        let (mut stream, mut ends) = (Vec::new(), Vec::new());
        for rec in [&r, &failed] {
            write_answer(&mut stream, &Written::of(rec)).unwrap();
            ends.push(stream.len());
        }
        let mut read = &stream[..];
        let got = read_answer(&mut read).unwrap().unwrap();
        assert_eq!(got.facts.path, "甲/\"乙\"\t,.pdf");
        assert_eq!(got.facts.sha256, "ab".repeat(32));
        assert_eq!(got.facts.status, Status::Partial);
        assert_eq!(got.facts.agency.as_deref(), Some("某市人民政府办公室"));
        assert_eq!(got.facts.year, Some(2023));
        assert_eq!(got.facts.carried_over, Some(7));
        assert_eq!(got.facts.carry_forward, None);
        assert_eq!(got.line, r.to_json_line());
        assert_eq!(got.row, crate::csv_row::encode_record(&r));
        let got = read_answer(&mut read).unwrap().unwrap();
        assert_eq!(got.facts.status, Status::Failed);
        assert_eq!(got.facts.sha256, "");
        assert_eq!(got.line, failed.to_json_line());
        assert!(read_answer(&mut read).unwrap().is_none());
        for cut in 1..stream.len() {
            let start = if cut >= ends[0] { ends[0] } else { 0 };
            if cut == start {
                continue;
            }
            let got = read_answer(&mut &stream[start..cut]);
            assert!(
                got.is_err() || (cut - start < 4 && matches!(got, Ok(None))),
                "cut at {cut}"
            );
        }
        // A length past the bound is refused before anything is read or reserved.
        let mut huge = u32::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert!(read_answer(&mut &huge[..]).is_err());
        // Parts that claim more than the answer holds, or facts that are not facts.
        for inner in [&[100u8, 0, 0, 0, b'{', b'}'][..], &[2, 0, 0, 0, b'{', b'}']] {
            let mut bad = (inner.len() as u32).to_le_bytes().to_vec();
            bad.extend_from_slice(inner);
            assert!(read_answer(&mut &bad[..]).is_err());
        }
    }

    #[test]
    fn request_round_trip() {
        let sha = "ab".repeat(32);
        let bytes = |b: &[u8]| Doc::Bytes {
            sha: Some(sha.clone()),
            bytes: Arc::new(b.to_vec()),
        };
        // A file's own path need not be UTF-8 (its display path is made lossy by the walk).
        #[cfg(unix)]
        let file = nianbao_sources::bytes_to_path(b"in/\xb1\xa8\xb8\xe6.pdf".to_vec());
        #[cfg(not(unix))]
        let file = PathBuf::from("in/报告.pdf");
        let on_disk = Doc::File(DiskFile::new(file, 1234, 256 << 20));
        let sent = [
            ("a.zip!/报告.pdf", bytes(b"%PDF-1.7")),
            ("in/��.pdf", on_disk),
            ("b", bytes(b"x")),
            ("c", Doc::bytes(b"not hashed yet".to_vec())),
        ];
        let (mut buf, mut ends) = (Vec::new(), Vec::new());
        for (path, doc) in &sent {
            write_request(&mut buf, path, doc).unwrap();
            ends.push(buf.len());
        }
        let mut r = &buf[..];
        for (path, doc) in sent {
            let want = Request {
                path: path.into(),
                doc,
            };
            assert_eq!(read_request(&mut r).unwrap(), Some(want));
        }
        assert_eq!(read_request(&mut r).unwrap(), None);
        // A request cut after its length is an error, never a shorter request (cut inside the
        // length, it reads as the end of the requests).
        for cut in 1..buf.len() {
            let start = ends.iter().rev().find(|&&e| e <= cut).copied().unwrap_or(0);
            let got = read_request(&mut &buf[start..cut]);
            if cut - start < 4 {
                assert!(matches!(got, Ok(None)), "cut at {cut}: {got:?}");
            } else {
                assert!(got.is_err(), "cut at {cut}: {got:?}");
            }
        }
    }
}
