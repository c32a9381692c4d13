//! Crafted archives: exact paths and error kinds. Zips are built byte by byte by `RawZip`
//! (tests/support/raw_zip.rs: names can be raw GBK, flags and declared sizes can lie); tars by
//! the `tar` writer; 7z by 7-Zip (fixtures/archives/reports.7z).

use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::Compression;
use nianbao_core::ErrorKind;
use nianbao_sources::{walk, Found, Item, Limits};
use std::io::Write;
use std::path::{Path, PathBuf};

mod support;
use support::raw_zip::{crc32, Entry, RawZip};

/// A stored zip of (name, bytes) with UTF-8 names and the UTF-8 flag.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = RawZip::new();
    for (name, data) in files {
        z.add(Entry {
            flags: 1 << 11,
            ..Entry::stored(name.as_bytes(), data)
        });
    }
    z.finish()
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "nianbao-sources-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn run(inputs: &[PathBuf], limits: &Limits) -> Vec<Item> {
    walk(inputs, limits).collect()
}

/// (path relative to `dir`, Ok(bytes) or Err(kind)) for compact assertions.
fn summary(dir: &Path, items: &[Item]) -> Vec<(String, Result<Vec<u8>, ErrorKind>)> {
    let prefix = format!("{}/", dir.display());
    items
        .iter()
        .map(|i| {
            (
                i.path.strip_prefix(&prefix).unwrap_or(&i.path).to_string(),
                i.data.clone().map_err(|e| e.kind),
            )
        })
        .collect()
}

fn ok(path: &str, bytes: &[u8]) -> (String, Result<Vec<u8>, ErrorKind>) {
    (path.to_string(), Ok(bytes.to_vec()))
}

fn err(path: &str, kind: ErrorKind) -> (String, Result<Vec<u8>, ErrorKind>) {
    (path.to_string(), Err(kind))
}

fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

#[test]
fn gbk_names_without_utf8_flag() {
    let dir = tmpdir("gbk");
    let name = gbk("目录/2023年度报告.txt");
    let other = gbk("说明.txt");
    let mut z = RawZip::new();
    z.add(Entry::stored(&gbk("目录/"), b""));
    z.add(Entry::stored(&name, b"report"));
    z.add(Entry::stored(&other, b"readme"));
    let p = write(&dir, "gbk.zip", &z.finish());
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("gbk.zip!/目录/2023年度报告.txt", b"report"),
            ok("gbk.zip!/说明.txt", b"readme")
        ]
    );
}

#[test]
fn utf8_flag_and_unicode_path_field() {
    let dir = tmpdir("utf8");
    let mut z = RawZip::new();
    z.add(Entry {
        flags: 1 << 11,
        ..Entry::stored("政府信息公开.txt".as_bytes(), b"a")
    });
    // Raw name in GBK, no flag, but an Info-ZIP Unicode Path field (0x7075) with the real name.
    let raw = gbk("旧名.txt");
    let real = "年报.txt";
    let mut extra = vec![0x75, 0x70];
    extra.extend_from_slice(&((5 + real.len()) as u16).to_le_bytes());
    extra.push(1);
    extra.extend_from_slice(&crc32(&raw).to_le_bytes());
    extra.extend_from_slice(real.as_bytes());
    z.add(Entry {
        extra,
        ..Entry::stored(&raw, b"b")
    });
    let p = write(&dir, "utf8.zip", &z.finish());
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("utf8.zip!/年报.txt", b"b"),
            ok("utf8.zip!/政府信息公开.txt", b"a")
        ]
    );
}

#[test]
fn zip_in_zip_in_tar_gz() {
    let dir = tmpdir("nested");
    let inner = zip_of(&[("报告.txt", b"inner report")]);
    let outer = zip_of(&[("目录/inner.zip", &inner), ("a.txt", b"A")]);
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in [("bundle/outer.zip", &outer[..]), ("bundle/b.txt", b"B")] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, data).unwrap();
    }
    let tar = tar.into_inner().unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&tar).unwrap();
    let p = write(&dir, "server.tgz", &gz.finish().unwrap());
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("server.tgz!/bundle/b.txt", b"B"),
            ok("server.tgz!/bundle/outer.zip!/a.txt", b"A"),
            ok(
                "server.tgz!/bundle/outer.zip!/目录/inner.zip!/报告.txt",
                b"inner report"
            ),
        ]
    );
}

#[test]
fn twenty_deep_nesting_stops_at_depth_limit() {
    let dir = tmpdir("deep");
    let mut z = zip_of(&[("bottom.txt", b"x")]);
    for level in (2..=20).rev() {
        z = zip_of(&[(&format!("l{level}.zip"), &z)]);
    }
    let p = write(&dir, "deep.zip", &z);
    let limits = Limits::default();
    assert_eq!(limits.max_depth, 8);
    let items = run(std::slice::from_ref(&p), &limits);
    let expected_path = format!(
        "deep.zip!/{}",
        (2..=9)
            .map(|l| format!("l{l}.zip"))
            .collect::<Vec<_>>()
            .join("!/")
    );
    assert_eq!(
        summary(&dir, &items),
        vec![err(&expected_path, ErrorKind::TooLarge)]
    );
    assert!(items[0]
        .data
        .as_ref()
        .unwrap_err()
        .message
        .contains("max_depth"));

    // With room for all levels, the bottom document comes out.
    let deep = Limits {
        max_depth: 25,
        ..Limits::default()
    };
    let items = run(&[p], &deep);
    let bottom = format!(
        "deep.zip!/{}!/bottom.txt",
        (2..=20)
            .map(|l| format!("l{l}.zip"))
            .collect::<Vec<_>>()
            .join("!/")
    );
    assert_eq!(summary(&dir, &items), vec![ok(&bottom, b"x")]);
    eprintln!("peak RSS after deep nesting: {} MiB", peak_rss_mib());
}

#[test]
fn zip_bomb_is_refused_and_neighbours_survive() {
    // Made with Python's zipfile by fixtures/archives/make_bomb.py (see fixtures/README.md):
    // a.txt, then three members of 16 MiB of zeros deflated to 16 KiB each whose declared sizes
    // were written over (1000 bytes, ~4 GiB, 250 MiB), then z.txt.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/archives");
    let dir = dir.canonicalize().unwrap();
    let p = dir.join("bomb.zip");
    let start = std::time::Instant::now();
    let items = run(&[p], &Limits::default());
    let secs = start.elapsed().as_secs_f64();
    let s = summary(&dir, &items);
    assert_eq!(s[0], ok("bomb.zip!/a.txt", b"before"));
    assert_eq!(s[4], ok("bomb.zip!/z.txt", b"after"));
    assert_eq!(s[1].0, "bomb.zip!/huge.bin");
    assert_eq!(s[2].0, "bomb.zip!/mid.bin");
    assert_eq!(s[3].0, "bomb.zip!/small-liar.bin");
    // The ones declaring their size are refused from what the central directory says, before
    // anything is inflated: the giant by the per-entry cap, the other by the ratio. The liar
    // is stopped while inflating, at its own declared size.
    let huge = items[1].data.as_ref().unwrap_err();
    assert_eq!(huge.kind, ErrorKind::TooLarge);
    assert!(huge.message.contains("max_entry_bytes"), "{huge}");
    let mid = items[2].data.as_ref().unwrap_err();
    assert_eq!(mid.kind, ErrorKind::TooLarge);
    assert!(mid.message.contains("max_ratio"), "{mid}");
    let liar = items[3].data.as_ref().unwrap_err();
    assert_eq!(liar.kind, ErrorKind::TooLarge);
    assert!(
        liar.message.contains("declared size of 1000 bytes"),
        "{liar}"
    );
    // With the ratio check out of the way, the per-entry cap still refuses the giant.
    let lax = Limits {
        max_ratio: 1 << 20,
        ..Limits::default()
    };
    let items = run(&[dir.join("bomb.zip")], &lax);
    let huge = items[1].data.as_ref().unwrap_err();
    assert_eq!(huge.kind, ErrorKind::TooLarge);
    assert!(huge.message.contains("max_entry_bytes"), "{huge}");
    assert_eq!(summary(&dir, &items)[4], ok("bomb.zip!/z.txt", b"after"));
    let rss = peak_rss_mib();
    eprintln!("zip bomb: {secs:.2} s with default limits, peak RSS {rss} MiB");
    assert!(rss < 1024, "peak RSS {rss} MiB");
}

#[test]
fn total_budget_stops_a_wide_bomb() {
    let dir = tmpdir("wide");
    // Many members each just under the ratio: the total budget stops them.
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 7) as u8).collect();
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&data).unwrap();
    let packed = enc.finish().unwrap();
    let mut z = RawZip::new();
    let names: Vec<String> = (0..5).map(|i| format!("m{i}.bin")).collect();
    for n in &names {
        z.add(Entry {
            method: 8,
            size: data.len() as u32,
            crc: crc32(&data),
            ..Entry::stored(n.as_bytes(), &packed)
        });
    }
    let p = write(&dir, "wide.zip", &z.finish());
    let limits = Limits {
        max_total_bytes: 7_000_000,
        max_ratio: 100_000,
        ..Limits::default()
    };
    let items = run(&[p], &limits);
    let kinds: Vec<_> = items
        .iter()
        .map(|i| i.data.as_ref().map(|d| d.len()).map_err(|e| e.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            Ok(3_000_000),
            Ok(3_000_000),
            Err(ErrorKind::TooLarge),
            Err(ErrorKind::TooLarge),
            Err(ErrorKind::TooLarge)
        ]
    );
}

#[test]
fn truncated_zip_yields_failure_and_what_was_readable() {
    let dir = tmpdir("trunc");
    let big = vec![b'c'; 5000];
    let whole = zip_of(&[("a.txt", b"alpha"), ("b.txt", b"beta"), ("c.txt", &big)]);
    // Cut inside c.txt's data: the central directory is gone.
    let cut = whole.len() - 3000;
    let p = write(&dir, "broken.zip", &whole[..cut]);
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            err("broken.zip", ErrorKind::Corrupt),
            ok("broken.zip!/a.txt", b"alpha"),
            ok("broken.zip!/b.txt", b"beta"),
            err("broken.zip!/c.txt", ErrorKind::Corrupt),
        ]
    );
    assert!(items[0]
        .data
        .as_ref()
        .unwrap_err()
        .message
        .contains("2 member(s) recovered"));
}

#[test]
fn rar_is_refused_with_instructions() {
    let dir = tmpdir("rar");
    let p = write(
        &dir,
        "offices.rar",
        b"Rar!\x1a\x07\x01\x00rest of a rar file",
    );
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![err("offices.rar", ErrorKind::UnsupportedFormat)]
    );
    let msg = &items[0].data.as_ref().unwrap_err().message;
    assert!(msg.contains("unrar x") && msg.contains("7-Zip"), "{msg}");
}

#[test]
fn docx_like_zip_is_one_item_even_nested() {
    let dir = tmpdir("docx");
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    let odt = zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<x/>"),
    ]);
    // Named .zip on purpose: the bytes decide, not the extension.
    let p = write(&dir, "report.zip", &docx);
    let outer = zip_of(&[("报告.docx", &docx), ("报告.odt", &odt)]);
    let q = write(&dir, "outer.zip", &outer);
    let items = run(&[p, q], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("report.zip", &docx),
            ok("outer.zip!/报告.docx", &docx),
            ok("outer.zip!/报告.odt", &odt)
        ]
    );
    // A document zip on disk is read whole, so the per-entry cap applies to it as one entry.
    let small = Limits {
        max_entry_bytes: docx.len() as u64 - 1,
        ..Limits::default()
    };
    let p = write(&dir, "report.zip", &docx);
    assert_eq!(
        summary(&dir, &run(&[p], &small)),
        vec![err("report.zip", ErrorKind::TooLarge)]
    );
}

#[test]
fn empty_files_and_empty_archives() {
    let dir = tmpdir("empty");
    let a = write(&dir, "empty.pdf", b"");
    let b = write(&dir, "nothing.zip", &zip_of(&[]));
    let c = write(&dir, "holds-empty.zip", &zip_of(&[("zero.txt", b"")]));
    let items = run(&[a, b, c], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            err("empty.pdf", ErrorKind::Empty),
            err("nothing.zip", ErrorKind::Empty),
            err("holds-empty.zip!/zero.txt", ErrorKind::Empty),
        ]
    );
}

#[cfg(unix)]
#[test]
fn folder_walk_is_sorted_and_survives_symlink_loops() {
    let dir = tmpdir("folder");
    let root = dir.join("in");
    std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
    write(&root, "b.txt", b"B");
    write(&root, "a.txt", b"A");
    write(&root.join("sub/deeper"), "c.txt", b"C");
    std::os::unix::fs::symlink(&root, root.join("sub/deeper/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("missing"), root.join("dangling")).unwrap();
    write(&root, "z.zip", &zip_of(&[("m.txt", b"M")]));
    let items = run(std::slice::from_ref(&root), &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("in/a.txt", b"A"),
            ok("in/b.txt", b"B"),
            err("in/dangling", ErrorKind::Io),
            ok("in/sub/deeper/c.txt", b"C"),
            ok("in/z.zip!/m.txt", b"M"),
        ]
    );
}

#[test]
fn inputs_keep_their_order_and_missing_paths_are_io() {
    let dir = tmpdir("order");
    let b = write(&dir, "b.txt", b"B");
    let a = write(&dir, "a.txt", b"A");
    let items = run(&[b, dir.join("nope.pdf"), a], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("b.txt", b"B"),
            err("nope.pdf", ErrorKind::Io),
            ok("a.txt", b"A")
        ]
    );
}

#[test]
fn oversized_member_is_refused_alone() {
    let dir = tmpdir("entry");
    let big = vec![b'x'; 5000];
    let p = write(
        &dir,
        "e.zip",
        &zip_of(&[("big.txt", &big), ("small.txt", b"s")]),
    );
    let limits = Limits {
        max_entry_bytes: 4096,
        ..Limits::default()
    };
    let items = run(&[p], &limits);
    assert_eq!(
        summary(&dir, &items),
        vec![
            err("e.zip!/big.txt", ErrorKind::TooLarge),
            ok("e.zip!/small.txt", b"s")
        ]
    );
    assert!(items[0]
        .data
        .as_ref()
        .unwrap_err()
        .message
        .contains("max_entry_bytes"));
}

#[test]
fn zip64_written_by_the_zip_crate() {
    let dir = tmpdir("zip64");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("年报/2022.txt", opts).unwrap();
    w.write_all(b"zip64 member").unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let p = write(&dir, "z64.zip", &bytes);
    let items = run(&[p], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![ok("z64.zip!/年报/2022.txt", b"zip64 member")]
    );
}

#[test]
fn single_file_gzip_and_plain_tar() {
    let dir = tmpdir("gz");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(b"%PDF-1.4 fake").unwrap();
    let p = write(&dir, "report.pdf.gz", &gz.finish().unwrap());
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(3);
    h.set_cksum();
    tar.append_data(&mut h, "x/报告.txt", &b"abc"[..]).unwrap();
    let q = write(&dir, "plain.tar", &tar.into_inner().unwrap());
    let items = run(&[p, q], &Limits::default());
    assert_eq!(
        summary(&dir, &items),
        vec![
            ok("report.pdf.gz!/report.pdf", b"%PDF-1.4 fake"),
            ok("plain.tar!/x/报告.txt", b"abc")
        ]
    );
}

#[test]
fn seven_zip_fixture() {
    // Made with 7-Zip (Debian p7zip-full 16.02+really26.02): see fixtures/README.md.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/archives/reports.7z");
    let items = run(std::slice::from_ref(&fixture), &Limits::default());
    let prefix = fixture.to_string_lossy().into_owned();
    let got: Vec<_> = items
        .iter()
        .map(|i| {
            (
                i.path.strip_prefix(&prefix).unwrap().to_string(),
                i.data.clone().map_err(|e| e.kind),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "!/目录/2023年报告.txt".to_string(),
                Ok("第一部分 总体情况\n".as_bytes().to_vec())
            ),
            ("!/说明.txt".to_string(), Ok("readme\n".as_bytes().to_vec())),
        ]
    );
}

/// `defer_files` leaves exactly the document files on disk that are not zips unread, and
/// reading them later gives what the plain walk gives, errors included.
#[test]
fn deferred_files_read_later_match_the_plain_walk() {
    let dir = tmpdir("defer");
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w/>"),
    ]);
    write(&dir, "a.pdf", b"%PDF-1.7 a report");
    write(&dir, "b.docx", &docx);
    write(&dir, "c.zip", &zip_of(&[("inner.txt", b"text in a zip")]));
    write(&dir, "d-empty.txt", b"");
    write(&dir, "e.txt", &[b'x'; 401]);
    write(&dir, "f.txt", b"short");
    let limits = Limits {
        max_entry_bytes: 400,
        ..Limits::default()
    };
    assert!(docx.len() < 400);
    let inputs = [dir.clone()];
    let plain = run(&inputs, &limits);
    let found: Vec<Found> = walk(&inputs, &limits).defer_files().collect();
    let unread: Vec<&str> = found
        .iter()
        .filter_map(|f| match f {
            Found::File { path, file } => {
                assert_eq!(file.path(), Path::new(path.as_str()));
                Some(path.strip_prefix(&format!("{}/", dir.display())).unwrap())
            }
            Found::Item(_) => None,
        })
        .collect();
    // The docx and the zip member are read by the walk; the empty file and the one over the
    // limit are already errors.
    assert_eq!(unread, ["a.pdf", "f.txt"]);
    let loaded: Vec<Item> = found.into_iter().map(Found::load).collect();
    assert_eq!(loaded, plain);
    assert_eq!(
        summary(&dir, &loaded),
        [
            ok("a.pdf", b"%PDF-1.7 a report"),
            ok("b.docx", &docx),
            ok("c.zip!/inner.txt", b"text in a zip"),
            err("d-empty.txt", ErrorKind::Empty),
            err("e.txt", ErrorKind::TooLarge),
            ok("f.txt", b"short"),
        ]
    );
}

/// Two entries with one name are two members, each with its own path; neither is lost.
#[test]
fn entries_with_one_name_are_each_a_member() {
    let dir = tmpdir("same-name");
    let z = zip_of(&[
        ("报告.txt", b"first"),
        ("b.txt", b"other"),
        ("报告.txt", b"second"),
        ("报告.txt", b"third"),
    ]);
    let a = write(&dir, "a.zip", &z);
    assert_eq!(
        summary(&dir, &run(&[a], &Limits::default())),
        vec![
            ok("a.zip!/b.txt", b"other"),
            ok("a.zip!/报告.txt", b"first"),
            ok("a.zip!/报告.txt#2", b"second"),
            ok("a.zip!/报告.txt#3", b"third"),
        ]
    );
}

/// Entries whose bytes overlap (many names pointing at one stored stream: the overlapping
/// zip bomb) are refused as too_large without being read; entries beside them are read.
#[test]
fn overlapping_entries_are_refused() {
    let dir = tmpdir("overlap");
    let data = vec![b'x'; 4000];
    let mut z = RawZip::new();
    z.add(Entry::stored(b"a.txt", b"alone"));
    z.add(Entry::stored(b"bomb000.txt", &data));
    for i in 1..50 {
        z.alias(format!("bomb{i:03}.txt").as_bytes(), i);
    }
    let p = write(&dir, "o.zip", &z.finish());
    let items = run(&[p], &Limits::default());
    assert_eq!(items.len(), 51);
    assert_eq!(items[0].data.as_deref(), Ok(&b"alone"[..]));
    for item in &items[1..] {
        let e = item.data.as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooLarge, "{}", item.path);
        assert!(e.message.contains("overlap"), "{}", e.message);
    }
}

/// A member whose data inflates a little past its declared size is damaged (`corrupt`); one
/// that inflates far past it is a bomb (`too_large`, see above).
#[test]
fn a_member_slightly_over_its_declared_size_is_corrupt() {
    let dir = tmpdir("over-declared");
    let text: Vec<u8> = (0..6000u32)
        .flat_map(|i| format!("第{i}行，").into_bytes())
        .collect();
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&text).unwrap();
    let packed = enc.finish().unwrap();
    let mut z = RawZip::new();
    z.add(Entry {
        method: 8,
        size: text.len() as u32 - 100,
        crc: crc32(&text),
        ..Entry::stored(b"damaged.txt", &packed)
    });
    let p = write(&dir, "d.zip", &z.finish());
    let items = run(&[p], &Limits::default());
    assert_eq!(items.len(), 1);
    let e = items[0].data.as_ref().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt, "{e}");
}

/// A tar.gz bomb is measured against the compressed bytes it came from, which the decoder
/// read before the member began: refused at the default ratio, read when the ratio allows it.
#[test]
fn a_tar_gz_bomb_obeys_max_ratio() {
    let dir = tmpdir("targz-bomb");
    let zeros = vec![0u8; 10 << 20];
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(zeros.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "zeros.bin", &zeros[..]).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let p = write(&dir, "bomb.tar.gz", &gz.finish().unwrap());
    let items = run(std::slice::from_ref(&p), &Limits::default());
    let member = items
        .iter()
        .find(|i| i.path.ends_with("!/zeros.bin"))
        .unwrap();
    let e = member.data.as_ref().unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(!e.message.contains(" 0 bytes compressed"), "{e}");
    let lax = Limits {
        max_ratio: 100_000,
        ..Limits::default()
    };
    let items = run(&[p], &lax);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].data.as_ref().map(Vec::len), Ok(10 << 20));
}

/// A damaged package read front to back whose first entry's name is garbled after its folder
/// (`word/` then junk) is still one document, not an archive of its parts.
#[test]
fn a_damaged_package_with_a_garbled_part_name_is_one_document() {
    let dir = tmpdir("garbled-part");
    let mut z = RawZip::new();
    z.add(Entry::stored(
        b"word/_\x14\x00\x00\x00\x08",
        b"<w:document/>",
    ));
    z.add(Entry::stored(b"other.txt", b"text"));
    let mut bytes = z.finish();
    // No central directory: cut inside it.
    let cd = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes.truncate(cd + 10);
    let p = write(&dir, "d.docx", &bytes);
    let items = run(&[p], &Limits::default());
    assert_eq!(
        items.len(),
        1,
        "{:?}",
        items.iter().map(|i| &i.path).collect::<Vec<_>>()
    );
    assert_eq!(items[0].data.as_deref(), Ok(&bytes[..]));
}
