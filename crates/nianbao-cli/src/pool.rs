//! N conversion slots, each a thread that feeds one worker process (or, with `--in-process`,
//! converts in the thread itself). Jobs go out on one channel and answers come back, tagged with
//! their sequence number, on another; the caller puts them back in order.
use crate::convert::convert_item;
use crate::inputs::Item;
use crate::worker::{Spawn, Worker};
use nianbao_core::{ErrorKind, ExtractError, Limits};
use nianbao_template::Record;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Job {
    pub seq: u64,
    pub path: String,
    pub sha: String,
    pub bytes: Vec<u8>,
}

pub struct Answer {
    pub seq: u64,
    /// The record, one JSON line.
    pub line: String,
}

#[derive(Clone)]
pub enum Engine {
    Workers(Spawn),
    /// Converts inside the slot thread: no protection from aborts or stack overflows, and a
    /// document over the time limit is only recorded as `timeout` once it finishes.
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
        let job_rx = Arc::new(Mutex::new(job_rx));
        let slots = (0..n.max(1))
            .map(|_| {
                let (jobs, answers, engine) = (Arc::clone(&job_rx), ans_tx.clone(), engine.clone());
                std::thread::spawn(move || slot(engine, jobs, answers))
            })
            .collect();
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

fn slot(engine: Engine, jobs: Arc<Mutex<Receiver<Job>>>, answers: Sender<Answer>) {
    let mut worker: Option<Worker> = None;
    loop {
        let job = {
            let rx = jobs.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok(job) = job else { break };
        let seq = job.seq;
        let line = match &engine {
            Engine::InProcess { limits, timeout } => in_process(job, limits, *timeout),
            Engine::Workers(spawn) => in_worker(&mut worker, spawn, &job),
        };
        if answers.send(Answer { seq, line }).is_err() {
            break;
        }
    }
    if let Some(w) = worker {
        w.close();
    }
}

fn in_process(job: Job, limits: &Limits, timeout: Duration) -> String {
    let start = Instant::now();
    let item = Item {
        path: job.path,
        data: Ok(job.bytes),
    };
    let rec = convert_item(item, limits);
    if start.elapsed() > timeout {
        let msg = format!(
            "ran past the time limit of {:.0} s (--timeout)",
            timeout.as_secs_f64()
        );
        return Record::failed(rec.source, ExtractError::new(ErrorKind::Timeout, msg))
            .to_json_line();
    }
    rec.to_json_line()
}

fn in_worker(slot: &mut Option<Worker>, spawn: &Spawn, job: &Job) -> String {
    let mut worker = match slot.take() {
        Some(w) => w,
        None => match Worker::start(spawn) {
            Ok(w) => w,
            Err(e) => {
                let err = ExtractError::new(
                    ErrorKind::Internal,
                    format!(
                        "cannot start a worker process ({}): {e}",
                        spawn.exe.display()
                    ),
                );
                let source = nianbao_template::Source {
                    path: job.path.clone(),
                    sha256: job.sha.clone(),
                    bytes: job.bytes.len() as u64,
                    ..Default::default()
                };
                return Record::failed(source, err).to_json_line();
            }
        },
    };
    match worker.convert(spawn, &job.path, &job.sha, &job.bytes) {
        Ok(line) => {
            *slot = Some(worker);
            line
        }
        // The worker is gone; the next job starts a new one.
        Err(failed) => failed,
    }
}
