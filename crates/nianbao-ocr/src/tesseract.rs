//! Tesseract 5 run as a subprocess (`tesseract - - … tsv`): a crash or a hang in the engine
//! costs one page, not the worker. Calls are batched: all cells of a page go into one
//! composite image (each cell on its own line), so the model loads once per page and pass.
use crate::Rect;
use image::GrayImage;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Environment variable that turns OCR off (`off`); set by `nianbao convert --ocr off`.
pub const ENV_SWITCH: &str = "NIANBAO_OCR";
/// Environment variable naming the `tesseract` program (default: `tesseract` on PATH).
pub const ENV_PROGRAM: &str = "NIANBAO_TESSERACT";

/// Why OCR cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// `--ocr off`.
    Off,
    /// Tesseract or its Simplified Chinese model is missing; the message says what to install.
    Missing(String),
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Off => f.write_str("OCR is off (--ocr off)"),
            Unavailable::Missing(m) => f.write_str(m),
        }
    }
}

fn program() -> String {
    std::env::var(ENV_PROGRAM).unwrap_or_else(|_| "tesseract".into())
}

/// Whether OCR can run here: not switched off, and `tesseract` with the `chi_sim` and `eng`
/// models present. Asked once per process.
pub fn available() -> Result<(), Unavailable> {
    if std::env::var(ENV_SWITCH).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return Err(Unavailable::Off);
    }
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let install = "install Tesseract 5 with its Simplified Chinese model (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)";
            let out = Command::new(program())
                .arg("--list-langs")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("tesseract not found ({e}): {install}"))?;
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            let has = |l: &str| text.lines().any(|x| x.trim() == l);
            if !out.status.success() || !has("chi_sim") || !has("eng") {
                return Err(format!(
                    "tesseract has no chi_sim/eng model: {install}"
                ));
            }
            Ok(())
        })
        .clone()
        .map_err(Unavailable::Missing)
}

/// One recognised word: its box in the image given to Tesseract and its confidence (0–100).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
    pub conf: f32,
    /// Tesseract's (block, paragraph, line) numbers: words of one line share them.
    pub line: (u32, u32, u32),
}

/// What a pass reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Labels and running text: Simplified Chinese (with its digits and punctuation).
    Chinese,
    /// Number cells: the English model restricted to digits, an independent second reading.
    Digits,
    /// Number cells the Chinese pass misread: the English model unrestricted, whose reading
    /// must be the same digits as the restricted one (a header gives letters instead).
    Latin,
}

/// Runs Tesseract on an image as one block of text (`--psm 6`), returning its words.
pub fn words(img: &GrayImage, pass: Pass, deadline: Instant) -> Result<Vec<Word>, String> {
    let mut cmd = Command::new(program());
    cmd.args(["-", "-", "--psm", "6"]);
    match pass {
        Pass::Chinese => {
            cmd.args(["-l", "chi_sim"]);
        }
        Pass::Digits => {
            cmd.args(["-l", "eng", "-c", "tessedit_char_whitelist=0123456789.-"]);
        }
        Pass::Latin => {
            cmd.args(["-l", "eng"]);
        }
    }
    // Workers already run in parallel: one thread per Tesseract keeps them from fighting
    // over the cores.
    cmd.arg("tsv")
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run tesseract: {e}"))?;
    let pgm = pgm(img);
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(&pgm));
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut s);
        s
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("OCR ran past the time limit".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("tesseract: {e}")),
        }
    };
    let _ = writer.join();
    let tsv = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("tesseract failed ({status})"));
    }
    Ok(parse_tsv(&tsv))
}

/// Binary PGM: what Leptonica reads from a pipe without any encoding work.
fn pgm(img: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Words (level 5 rows) of Tesseract's TSV output.
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let text = f[11].trim();
        if text.is_empty() {
            continue;
        }
        let n = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        out.push(Word {
            text: text.to_string(),
            rect: Rect {
                x0: n(6),
                y0: n(7),
                x1: n(6) + n(8),
                y1: n(7) + n(9),
            },
            conf: f[10].parse::<f32>().unwrap_or(0.0),
            line: (n(2), n(3), n(4)),
        });
    }
    out
}

/// Joins words into text: no space between Chinese characters or between a Chinese
/// character and a digit (Tesseract puts one at every script change), one between two
/// Latin words or numbers (two numbers side by side are never run into one).
pub fn join_words<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        let latin = |c: char| c.is_ascii_alphanumeric();
        if out.chars().last().is_some_and(latin) && w.chars().next().is_some_and(latin) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tsv_words() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   4\t1\t1\t1\t1\t0\t5\t6\t100\t20\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t5\t6\t40\t20\t91.5\t2021\n\
                   5\t1\t1\t1\t1\t2\t50\t6\t20\t20\t88\t年\n";
        let w = parse_tsv(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "2021");
        assert_eq!(
            w[0].rect,
            Rect {
                x0: 5,
                y0: 6,
                x1: 45,
                y1: 26
            }
        );
        assert_eq!(w[1].conf, 88.0);
        assert_eq!(join_words(w.iter().map(|w| w.text.as_str())), "2021年");
        assert_eq!(join_words(["12", "436"]), "12 436");
        assert_eq!(join_words(["Word", "Excel"]), "Word Excel");
    }
}
