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
//! * answer, worker → parent stdout: one line `@nianbao <record JSON>\t<CSV row as one JSON
//!   string>` (a compact JSON line holds no raw tab, so the first tab splits it). The row is
//!   the CSV text itself, quoted and ended as the file holds it: the parent writes it as it
//!   comes, without parsing the record or the row's fields. Lines without the prefix (stray
//!   output of a library) are ignored.
//!
//! The parent waits `--timeout` for an answer, then kills the worker and records the document
//! as `timeout`; a worker that dies records its document as `internal` (or `too_large` when it
//! ran out of its `--max-memory` address space). Either way a fresh worker takes the next one.
use crate::csv_row::CsvRow;
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

const PREFIX: &str = "@nianbao ";
/// Longest display path accepted in a request (a sanity bound on a corrupt stream).
const MAX_PATH_BYTES: u32 = 1 << 16;
/// Stderr kept from a worker, for the message of the document it died on.
const STDERR_TAIL: usize = 2048;

/// The worker side: answers requests on stdin until it closes.
pub fn serve(limits: &Limits, max_memory: u64) -> io::Result<()> {
    limit_address_space(max_memory);
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut answer = Vec::with_capacity(ANSWER_CAPACITY);
    while let Some(Request { path, doc }) = read_request(&mut stdin)? {
        #[cfg(debug_assertions)]
        test_hook::check(&doc);
        let record = doc.convert(path, limits);
        // The whole answer goes out in one write: written piece by piece through stdout's
        // line buffer, it took several pipe writes, each waking the parent's reader.
        answer.clear();
        answer.extend_from_slice(PREFIX.as_bytes());
        record.append_json_line(&mut answer);
        answer.push(b'\t');
        serde_json::to_writer(&mut answer, CsvRow::of_record(&record).as_str())?;
        answer.push(b'\n');
        stdout.write_all(&answer)?;
        stdout.flush()?;
        if answer.capacity() > ANSWER_KEPT {
            answer = Vec::with_capacity(ANSWER_CAPACITY);
        }
    }
    Ok(())
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

/// Bytes reserved for one answer line (a record line is about 22 KB).
const ANSWER_CAPACITY: usize = 48 << 10;
/// A worker's answer buffer grown past this by one large record is not kept for the next.
const ANSWER_KEPT: usize = 1 << 20;

/// The record line and CSV row of one answer line, or `None` for a line without the prefix.
/// The record keeps the line's allocation: its row and the prefix are cut off in place.
fn answer_of(mut line: String) -> Option<(String, Option<CsvRow>)> {
    if !line.starts_with(PREFIX) {
        return None;
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    // A row that does not parse is rebuilt from the record by the parent.
    let row = match memchr::memchr(b'\t', line.as_bytes()) {
        Some(tab) => {
            let row = serde_json::from_str::<String>(&line[tab + 1..])
                .ok()
                .and_then(CsvRow::parse);
            line.truncate(tab);
            row
        }
        None => None,
    };
    line.drain(..PREFIX.len());
    Some((line, row))
}

/// `BufRead::read_until(b'\n')`, with a vectorised search: record lines are ~22 KB, and the
/// byte-at-a-time search of the standard one was a tenth of the parent's own work.
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    let mut n = 0;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(n);
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        r.consume(take);
        n += take;
        if done {
            return Ok(n);
        }
    }
}

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
    answers: Receiver<(String, Option<CsvRow>)>,
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
            loop {
                // Sized for a whole record line, so that reading it does not regrow it.
                let mut line = Vec::with_capacity(ANSWER_CAPACITY);
                match read_line(&mut out, &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // A line that is not UTF-8 is stray output, like one without the prefix.
                let Some(answer) = String::from_utf8(line).ok().and_then(answer_of) else {
                    continue;
                };
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
    pub fn answer(&mut self, spawn: &Spawn, job: &Job) -> Result<Answer, Answer> {
        let error = match self.answers.recv_timeout(spawn.timeout) {
            Ok((line, row)) => {
                return Ok(Answer {
                    seq: job.seq,
                    line,
                    row,
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
        Err(Answer {
            seq: job.seq,
            line: Self::failed_line(&job.path, &job.doc, error),
            row: None,
        })
    }

    /// The record of a document whose worker did not answer (a file left on disk is read
    /// here to describe it).
    pub fn failed_line(path: &str, doc: &Doc, error: ExtractError) -> String {
        let mut source = Source {
            path: path.to_string(),
            ..Default::default()
        };
        if let Ok((bytes, sha)) = doc.open() {
            source.format = nianbao_core::detect(&bytes).map(|a| a.name().to_string());
            source.sha256 = sha.into_owned();
            source.bytes = bytes.len() as u64;
        }
        Record::failed(source, error).to_json_line()
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

/// Debug builds only: `NIANBAO_TEST_CRASH=<sha256>:<abort|overflow|hang>[,…]` makes the worker
/// abort, overflow its stack or hang on that document, so that tests can check the parent's
/// handling of a dying worker. No such input is known among the adapters (they bound their
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

    #[test]
    fn answers_are_split_into_record_and_row() {
        let mut fields = vec![String::new(); crate::csv_row::width()];
        fields[0] = "甲, \"乙\"\n.txt".into();
        let row = CsvRow::of_fields(&fields);
        let row_json = serde_json::to_string(row.as_str()).unwrap();
        let line = format!("{PREFIX}{{\"a\":\"\\t\"}}\t{row_json}\n");
        assert_eq!(
            answer_of(line),
            Some(("{\"a\":\"\\t\"}".to_string(), Some(row)))
        );
        // No row, a row of the wrong width, or not a whole row: the parent makes it from the
        // record.
        assert_eq!(
            answer_of(format!("{PREFIX}{{}}\n")),
            Some(("{}".to_string(), None))
        );
        let commas = ",".repeat(crate::csv_row::width() - 1);
        for bad in [
            format!(",{commas}x\r\n"),
            format!("{commas}x"),
            format!("{commas}\"x\r\n"),
            format!("{commas}x\"y\r\n"),
            format!("{commas}\"x\"y\r\n"),
        ] {
            let line = format!("{PREFIX}{{}}\t{}\r\n", serde_json::to_string(&bad).unwrap());
            assert_eq!(answer_of(line), Some(("{}".to_string(), None)), "{bad:?}");
        }
        let short = format!("{PREFIX}{{}}\t\"x,y\\r\\n\"\n");
        assert_eq!(answer_of(short), Some(("{}".to_string(), None)));
        assert_eq!(answer_of("stray output of a library\n".into()), None);
    }

    #[test]
    fn lines_are_read_whole_across_buffer_refills() {
        let text = "@nianbao {\"甲\":1}\tx\n\nlast without end";
        let mut r = BufReader::with_capacity(3, text.as_bytes());
        let mut lines = Vec::new();
        loop {
            let mut line = Vec::new();
            if read_line(&mut r, &mut line).unwrap() == 0 {
                break;
            }
            lines.push(String::from_utf8(line).unwrap());
        }
        assert_eq!(
            lines,
            ["@nianbao {\"甲\":1}\tx\n", "\n", "last without end"]
        );
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
