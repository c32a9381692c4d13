//! A one-line progress display on stderr, only when stderr is a terminal.
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    on: bool,
    start: Instant,
    last: Instant,
}

impl Progress {
    pub fn new() -> Self {
        let now = Instant::now();
        Progress {
            on: std::io::stderr().is_terminal(),
            start: now,
            last: now,
        }
    }

    pub fn update(&mut self, done: usize, failed: usize) {
        if !self.on || self.last.elapsed().as_millis() < 100 {
            return;
        }
        self.last = Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        eprint!(
            "\r\x1b[2K[{:>6.1}s] {done} documents ({failed} failed), {:.0}/s",
            secs,
            done as f64 / secs
        );
        let _ = std::io::stderr().flush();
    }

    pub fn finish(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }

    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}
