//! N conversion slots, each a thread that feeds one worker process (or, with `--in-process`,
//! a rayon pool of N threads converting in this process). Jobs go out on one channel and
//! answers come back, tagged with their sequence number, on another; the caller puts them
//! back in order.
//!
//! A worker slot keeps [`PIPELINE`] documents sent ahead, so that its worker starts the next
//! one as soon as it has answered, instead of idling for the round trip through the parent.
use crate::convert::{convert_document, unreadable};
use crate::output::Written;
use crate::worker::{Spawn, Worker};
use nianbao_core::{ErrorKind, ExtractError, Limits};
use nianbao_sources::DiskFile;
use nianbao_template::Record;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Documents sent to one worker before its first answer comes back.
const PIPELINE: usize = 2;

pub struct Job {
    pub seq: u64,
    pub path: String,
    pub doc: Doc,
}

/// A document to convert: its bytes, or the file that holds them.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Bytes {
        /// sha256 of `bytes`, lower-case hex, when the caller needed it first (else the
        /// converter computes it).
        sha: Option<String>,
        /// Shared with the worker's request writer; kept for the record of a worker that dies.
        bytes: Arc<Vec<u8>>,
    },
    /// Read and hashed by the converter, not by the parent (see `Walk::defer_files`).
    File(DiskFile),
}

impl Doc {
    /// Bytes read by the walk, not hashed yet.
    pub fn bytes(bytes: Vec<u8>) -> Doc {
        Doc::Bytes {
            sha: None,
            bytes: Arc::new(bytes),
        }
    }

    /// The document's bytes and their sha256, reading a file left on disk.
    pub fn open(&self) -> Result<(Cow<'_, [u8]>, Cow<'_, str>), ExtractError> {
        match self {
            Doc::Bytes {
                sha: Some(sha),
                bytes,
            } => Ok((Cow::Borrowed(bytes), Cow::Borrowed(sha))),
            Doc::Bytes { sha: None, bytes } => {
                let sha = nianbao_sources::sha256_hex(bytes);
                Ok((Cow::Borrowed(bytes), Cow::Owned(sha)))
            }
            Doc::File(file) => {
                let bytes = file.read()?;
                let sha = nianbao_sources::sha256_hex(&bytes);
                Ok((Cow::Owned(bytes), Cow::Owned(sha)))
            }
        }
    }

    /// The document's record: converted, or failed because its file could not be read.
    pub fn convert(&self, path: String, limits: &Limits) -> Record {
        match self.open() {
            Ok((bytes, sha)) => convert_document(path, &bytes, sha.into_owned(), limits),
            Err(e) => unreadable(path, e),
        }
    }
}

pub struct Answer {
    pub seq: u64,
    /// The document's record, as the run writes it.
    pub written: Written,
}

#[derive(Clone)]
pub enum Engine {
    Workers(Spawn),
    /// Converts on threads of this process: no protection from aborts or stack overflows, and
    /// a document over the time limit is only recorded as `timeout` once it finishes.
    InProcess {
        limits: Limits,
        timeout: Duration,
    },
}

pub struct Pool {
    jobs: Option<Sender<Job>>,
    pub answers: Receiver<Answer>,
    slots: Vec<JoinHandle<()>>,
}

impl Pool {
    pub fn start(engine: Engine, n: usize) -> Pool {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (ans_tx, answers) = mpsc::channel();
        let slots = match engine {
            Engine::InProcess { limits, timeout } => {
                vec![std::thread::spawn(move || {
                    in_process_pool(job_rx, ans_tx, n, limits, timeout)
                })]
            }
            Engine::Workers(spawn) => {
                let job_rx = Arc::new(Mutex::new(job_rx));
                (0..n.max(1))
                    .map(|_| {
                        let (jobs, answers, spawn) =
                            (Arc::clone(&job_rx), ans_tx.clone(), spawn.clone());
                        std::thread::spawn(move || worker_slot(&spawn, &jobs, &answers))
                    })
                    .collect()
            }
        };
        Pool {
            jobs: Some(job_tx),
            answers,
            slots,
        }
    }

    pub fn submit(&self, job: Job) {
        if let Some(tx) = &self.jobs {
            // Fails only if every slot thread is gone, which `finish` then reports as lost.
            let _ = tx.send(job);
        }
    }

    /// No more jobs: lets the slots drain and stop their workers.
    pub fn close(&mut self) {
        self.jobs = None;
    }

    pub fn join(mut self) {
        self.close();
        for s in self.slots.drain(..) {
            let _ = s.join();
        }
    }
}

/// `--in-process`: each job converted on a rayon pool of `n` threads, until the jobs end and
/// the ones taken are done.
fn in_process_pool(
    jobs: Receiver<Job>,
    answers: Sender<Answer>,
    n: usize,
    limits: Limits,
    timeout: Duration,
) {
    let threads = rayon::ThreadPoolBuilder::new()
        .num_threads(n.max(1))
        .thread_name(|i| format!("nianbao-convert-{i}"))
        .build();
    let threads = match threads {
        Ok(t) => t,
        Err(e) => {
            // No thread to convert on: every document gets the reason as its record.
            for job in jobs {
                let err = ExtractError::new(
                    ErrorKind::Internal,
                    format!("cannot start conversion threads: {e}"),
                );
                let written = Written::of(&unreadable(job.path, err));
                if answers
                    .send(Answer {
                        seq: job.seq,
                        written,
                    })
                    .is_err()
                {
                    break;
                }
            }
            return;
        }
    };
    // The jobs are taken on this thread, not one of the pool's (it waits on the channel).
    threads.in_place_scope_fifo(|scope| {
        for job in jobs {
            let (answers, limits) = (answers.clone(), &limits);
            scope.spawn_fifo(move |_| {
                let seq = job.seq;
                let written = Written::of(&in_process(job, limits, timeout));
                // A closed channel: the run stopped, and this answer is not wanted.
                let _ = answers.send(Answer { seq, written });
            });
        }
    });
}

fn in_process(job: Job, limits: &Limits, timeout: Duration) -> Record {
    let start = Instant::now();
    let rec = job.doc.convert(job.path, limits);
    if start.elapsed() > timeout {
        let msg = format!(
            "ran past the time limit of {:.0} s (--timeout)",
            timeout.as_secs_f64()
        );
        return Record::failed(rec.source, ExtractError::new(ErrorKind::Timeout, msg));
    }
    rec
}

/// A job taken by a worker slot, and whether the current worker has been sent it.
struct Queued {
    job: Job,
    sent: bool,
}

/// Feeds one worker process. Answers come back in the order the jobs were sent; when the
/// worker dies or times out, the job it was on gets the failure record and the ones sent after
/// it go to the next worker.
fn worker_slot(spawn: &Spawn, jobs: &Mutex<Receiver<Job>>, answers: &Sender<Answer>) {
    let mut worker: Option<Worker> = None;
    let mut queue: VecDeque<Queued> = VecDeque::new();
    let mut closed = false;
    loop {
        while !closed && queue.len() < PIPELINE {
            match take(jobs, queue.is_empty()) {
                Take::Job(job) => queue.push_back(Queued { job, sent: false }),
                Take::NotNow => break,
                Take::Closed => closed = true,
            }
        }
        let Some(front) = queue.front() else { break };
        if worker.is_none() {
            match Worker::start(spawn) {
                Ok(w) => worker = Some(w),
                Err(e) => {
                    let job = &front.job;
                    let err = ExtractError::new(
                        ErrorKind::Internal,
                        format!(
                            "cannot start a worker process ({}): {e}",
                            spawn.exe.display()
                        ),
                    );
                    let written = Written::of(&Worker::failed(&job.path, &job.doc, err));
                    let seq = job.seq;
                    queue.pop_front();
                    if answers.send(Answer { seq, written }).is_err() {
                        break;
                    }
                    continue;
                }
            }
        }
        let Some(w) = worker.as_mut() else { break };
        for q in queue.iter_mut().filter(|q| !q.sent) {
            w.send(&q.job);
            q.sent = true;
        }
        let Some(Queued { job, .. }) = queue.pop_front() else {
            break;
        };
        let answer = match w.answer(spawn, &job) {
            Ok(answer) => answer,
            Err(failed) => {
                // That worker is gone: the jobs sent after this one were never started.
                worker = None;
                queue.iter_mut().for_each(|q| q.sent = false);
                *failed
            }
        };
        if answers.send(answer).is_err() {
            break;
        }
    }
    if let Some(w) = worker {
        w.close();
    }
}

enum Take {
    Job(Job),
    /// Nothing queued right now (or another slot is waiting on the channel).
    NotNow,
    /// No more jobs will come.
    Closed,
}

/// The next job: waits for one when `wait` (the slot is idle), else only takes one that is
/// already there, without waiting behind an idle slot that holds the channel.
fn take(jobs: &Mutex<Receiver<Job>>, wait: bool) -> Take {
    if wait {
        let rx = jobs.lock().unwrap_or_else(|e| e.into_inner());
        return match rx.recv() {
            Ok(j) => Take::Job(j),
            Err(_) => Take::Closed,
        };
    }
    let Ok(rx) = jobs.try_lock() else {
        return Take::NotNow;
    };
    match rx.try_recv() {
        Ok(j) => Take::Job(j),
        Err(TryRecvError::Empty) => Take::NotNow,
        Err(TryRecvError::Disconnected) => Take::Closed,
    }
}
