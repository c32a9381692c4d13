//! The benchmark corpus: N distinct documents made reproducibly from the fixtures, in the
//! proportions of real archives (DOCX 40 %, XLSX 10 %, PDF 40 %, TXT 10 %), every tenth
//! document inside a zip of up to 50 members.
//!
//! Copies differ by content, never only by name (nianbao converts identical bytes once):
//! TXT and DOCX/XLSX copies get their prose counts rewritten ([`super::vary`]) (a TXT with
//! too few counts for that also gets a line `（归档编号 n）`), DOCX and
//! XLSX copies also a distinct zip archive comment, PDF copies a comment line `%bench-<n>`
//! after `%%EOF` — trailing bytes a PDF reader ignores, so their text is the original's.
use super::vary::{vary_counts, vary_xml_counts, Rng};
use std::collections::HashSet;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const SEED: u64 = 0x6e69_616e_6261_6f21;
const ZIP_MEMBERS: usize = 50;
/// One document in this many goes into a zip.
const ZIP_EVERY: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Docx,
    Xlsx,
    Pdf,
    Txt,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Docx, Kind::Xlsx, Kind::Pdf, Kind::Txt];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Pdf => "pdf",
            Kind::Txt => "txt",
        }
    }

    /// Share of real archives, in percent.
    fn weight(self) -> usize {
        match self {
            Kind::Docx | Kind::Pdf => 40,
            Kind::Xlsx | Kind::Txt => 10,
        }
    }

    /// Fixture folders holding the originals of this kind.
    fn sources(self) -> &'static [&'static str] {
        match self {
            Kind::Docx => &["fixtures/docx"],
            Kind::Xlsx => &["fixtures/xlsx"],
            Kind::Pdf => &["fixtures/real", "fixtures/pdf"],
            Kind::Txt => &["fixtures/seeds", "fixtures/real"],
        }
    }
}

/// The originals: fixture files of each kind that have a `<stem>.expected.json` beside them
/// (real reports, not the deliberately broken inputs), sorted by path.
pub fn originals(root: &Path) -> Vec<(Kind, Vec<PathBuf>)> {
    Kind::ALL
        .iter()
        .map(|&k| {
            let mut files: Vec<PathBuf> = k
                .sources()
                .iter()
                .filter_map(|d| fs::read_dir(root.join(d)).ok())
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == k.name()))
                .filter(|p| p.with_extension("expected.json").exists())
                .collect();
            files.sort();
            (k, files)
        })
        .collect()
}

/// Document counts per kind for `docs` documents, by largest remainder over the kinds that
/// have originals.
fn counts(docs: usize, present: &[Kind]) -> Vec<(Kind, usize)> {
    let total: usize = present.iter().map(|k| k.weight()).sum();
    let mut c: Vec<(Kind, usize, usize)> = present
        .iter()
        .map(|&k| (k, docs * k.weight() / total, docs * k.weight() % total))
        .collect();
    let mut left = docs - c.iter().map(|x| x.1).sum::<usize>();
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(c[i].2));
    for i in order {
        if left == 0 {
            break;
        }
        c[i].1 += 1;
        left -= 1;
    }
    c.into_iter().map(|(k, n, _)| (k, n)).collect()
}

/// What was generated, per folder of the corpus.
pub struct Corpus {
    pub dir: PathBuf,
    /// The first tenth of every folder, hard-linked: the same mix at a tenth of the size.
    pub tenth: PathBuf,
}

/// Generates (or reuses, when its stamp matches) the corpus of `docs` documents under `out`.
pub fn generate(root: &Path, out: &Path, docs: usize) -> Result<Corpus, String> {
    let origs = originals(root);
    for (k, files) in &origs {
        if files.is_empty() {
            println!(
                "bench: no {} fixtures with an expected.json: corpus has no {}",
                k.name(),
                k.name()
            );
        }
    }
    let dir = out.join(format!("corpus-{docs}"));
    let tenth = out.join(format!("corpus-{docs}-tenth"));
    let stamp = stamp(docs, &origs);
    // Beside the corpus, not in it: a file in it would be converted (and counted) too.
    let stamp_path = out.join(format!("corpus-{docs}.stamp"));
    if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        println!("bench: reusing {}", dir.display());
        return Ok(Corpus { dir, tenth });
    }
    for d in [&dir, &tenth] {
        if d.exists() {
            fs::remove_dir_all(d).map_err(|e| format!("cannot clear {}: {e}", d.display()))?;
        }
    }
    let present: Vec<Kind> = origs
        .iter()
        .filter(|(_, f)| !f.is_empty())
        .map(|(k, _)| *k)
        .collect();
    if present.is_empty() {
        return Err("no fixtures to build a corpus from".into());
    }
    let mut plan: Vec<Kind> = counts(docs, &present)
        .into_iter()
        .flat_map(|(k, n)| std::iter::repeat_n(k, n))
        .collect();
    let mut rng = Rng::new(SEED);
    for i in (1..plan.len()).rev() {
        plan.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let t0 = std::time::Instant::now();
    let mut gen = Generator {
        seen: HashSet::new(),
        loaded: Vec::new(),
    };
    for (k, files) in &origs {
        for f in files {
            let bytes = fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            gen.loaded.push((*k, stem(f), bytes));
        }
    }
    for k in Kind::ALL.iter().map(|k| k.name()).chain(["zips"]) {
        fs::create_dir_all(dir.join(k)).map_err(|e| e.to_string())?;
    }
    let mut used = [0usize; 4];
    let mut pending: Vec<(String, Vec<u8>, Kind)> = Vec::new();
    let mut zips = 0;
    for (n, &kind) in plan.iter().enumerate() {
        let ki = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        let (name, bytes) = gen.copy(kind, used[ki], n)?;
        used[ki] += 1;
        if n % ZIP_EVERY == ZIP_EVERY - 1 {
            pending.push((name, bytes, kind));
            if pending.len() == ZIP_MEMBERS {
                write_zip(
                    &dir.join("zips").join(format!("archive-{zips:04}.zip")),
                    &pending,
                )?;
                zips += 1;
                pending.clear();
            }
        } else {
            let path = dir.join(kind.name()).join(name);
            fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if !pending.is_empty() {
        write_zip(
            &dir.join("zips").join(format!("archive-{zips:04}.zip")),
            &pending,
        )?;
    }
    link_tenth(&dir, &tenth)?;
    fs::write(&stamp_path, stamp).map_err(|e| e.to_string())?;
    println!(
        "bench: generated {docs} documents in {:.1} s → {}",
        t0.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(Corpus { dir, tenth })
}

/// Identifies a corpus: its size and the originals it was made from.
fn stamp(docs: usize, origs: &[(Kind, Vec<PathBuf>)]) -> String {
    let mut s = format!("docs={docs} seed={SEED:x} members={ZIP_MEMBERS} every={ZIP_EVERY}\n");
    for f in origs.iter().flat_map(|(_, f)| f) {
        let len = fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        s.push_str(&format!("{} {len}\n", f.display()));
    }
    s
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

struct Generator {
    /// Hashes of every document written, to guarantee distinct bytes.
    seen: HashSet<u64>,
    loaded: Vec<(Kind, String, Vec<u8>)>,
}

impl Generator {
    /// The `i`-th copy of `kind` (round robin over its originals), document number `n`.
    fn copy(&mut self, kind: Kind, i: usize, n: usize) -> Result<(String, Vec<u8>), String> {
        let originals: Vec<&(Kind, String, Vec<u8>)> =
            self.loaded.iter().filter(|o| o.0 == kind).collect();
        let (_, stem, orig) = originals[i % originals.len()];
        let mut rng = Rng::new(SEED ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        // Numbered first, so that any prefix of a folder in name order is a fair mix.
        let name = format!("{n:05}-{stem}.{}", kind.name());
        for attempt in 0..16 {
            let mut bytes = match kind {
                Kind::Txt => txt_copy(orig, &mut rng),
                Kind::Pdf => pdf_copy(orig, n),
                Kind::Docx => ooxml_copy(orig, &["word/document.xml"], n, &mut rng)?,
                Kind::Xlsx => ooxml_copy(orig, &["xl/sharedStrings.xml"], n, &mut rng)?,
            };
            // A text with too few counts to vary: an archive number line keeps it distinct.
            if attempt >= 8 {
                bytes.extend_from_slice(format!("\n（归档编号 {n}-{attempt}）\n").as_bytes());
            }
            let mut h = DefaultHasher::new();
            bytes.hash(&mut h);
            if self.seen.insert(h.finish()) {
                return Ok((name, bytes));
            }
        }
        Err(format!("cannot make a distinct copy of {stem} ({n})"))
    }
}

fn txt_copy(orig: &[u8], rng: &mut Rng) -> Vec<u8> {
    match std::str::from_utf8(orig) {
        Ok(s) => vary_counts(s, rng).into_bytes(),
        // GBK and other legacy encodings: their ASCII digits are single bytes too, but keep it
        // simple and rely on the trailing-line fallback.
        Err(_) => orig.to_vec(),
    }
}

fn pdf_copy(orig: &[u8], n: usize) -> Vec<u8> {
    let mut b = orig.to_vec();
    if !b.ends_with(b"\n") {
        b.push(b'\n');
    }
    b.extend_from_slice(format!("%bench-{n}\n").as_bytes());
    b
}

/// Rewrites `parts` of an OOXML package with varied counts and copies every other entry raw
/// (no recompression), with the archive comment `bench-<n>`.
fn ooxml_copy(orig: &[u8], parts: &[&str], n: usize, rng: &mut Rng) -> Result<Vec<u8>, String> {
    let zerr = |e: zip::result::ZipError| format!("rewriting a fixture: {e}");
    let mut ar = ZipArchive::new(Cursor::new(orig)).map_err(zerr)?;
    let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(orig.len() + 1024)));
    for i in 0..ar.len() {
        let name = ar
            .by_index_raw(i)
            .map_err(zerr)?
            .name()
            .map_err(zerr)?
            .to_string();
        if parts.contains(&name.as_str()) {
            let mut xml = String::new();
            ar.by_index(i)
                .map_err(zerr)?
                .read_to_string(&mut xml)
                .map_err(|e| e.to_string())?;
            let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
            w.start_file(name, opts).map_err(zerr)?;
            w.write_all(vary_xml_counts(&xml, rng).as_bytes())
                .map_err(|e| e.to_string())?;
        } else {
            w.raw_copy_file(ar.by_index_raw(i).map_err(zerr)?)
                .map_err(zerr)?;
        }
    }
    w.set_comment(format!("bench-{n}")).map_err(zerr)?;
    Ok(w.finish().map_err(zerr)?.into_inner())
}

fn write_zip(path: &Path, members: &[(String, Vec<u8>, Kind)]) -> Result<(), String> {
    let zerr = |e: zip::result::ZipError| format!("writing {}: {e}", path.display());
    let file = fs::File::create(path).map_err(|e| e.to_string())?;
    let mut w = ZipWriter::new(std::io::BufWriter::new(file));
    for (name, bytes, kind) in members {
        // Text compresses; PDF and OOXML are compressed already, as archivers leave them.
        let method = if *kind == Kind::Txt {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let opts = SimpleFileOptions::default().compression_method(method);
        w.start_file(format!("{}/{name}", kind.name()), opts)
            .map_err(zerr)?;
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(zerr)?.flush().map_err(|e| e.to_string())
}

/// Hard-links the first tenth (at least one) of every folder of `dir` into `tenth`.
fn link_tenth(dir: &Path, tenth: &Path) -> Result<(), String> {
    for k in Kind::ALL.iter().map(|k| k.name()).chain(["zips"]) {
        let mut files: Vec<PathBuf> = fs::read_dir(dir.join(k))
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let dst = tenth.join(k);
        fs::create_dir_all(&dst).map_err(|e| e.to_string())?;
        for f in files.iter().take(files.len().div_ceil(10)) {
            let to = dst.join(f.file_name().unwrap_or_default());
            fs::hard_link(f, &to)
                .or_else(|_| fs::copy(f, &to).map(|_| ()))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
