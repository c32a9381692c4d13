//! The documents named on the command line, walked by `nianbao-sources` (folders sorted, archives
//! expanded in place under its limits), and the `--shard` split.
use std::io::BufRead;
use std::path::PathBuf;

/// One input document: its display path and its bytes (or why they could not be read).
pub use nianbao_sources::Item;

/// The inputs with each `-` replaced by the paths read from `stdin`, one per line.
pub fn expand_stdin(inputs: Vec<PathBuf>, stdin: impl BufRead) -> Vec<PathBuf> {
    if !inputs.iter().any(|p| p.as_os_str() == "-") {
        return inputs;
    }
    let from_stdin = nianbao_sources::paths_from_reader(stdin);
    let mut out = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            out.extend(from_stdin.iter().cloned());
        } else {
            out.push(p);
        }
    }
    out
}

/// `--shard K/N`: this run converts shard `k` (1-based) of `n`.
///
/// Convention: a document belongs to shard `1 + u64::from_be_bytes(sha256[0..8]) % n`, where
/// sha256 is `source.sha256` (its bytes). An item whose bytes could not be read has no sha256;
/// it is placed by the sha256 of its display path instead. Equal documents therefore always
/// fall in one shard, and the N outputs together hold every record exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Whether the document with this lower-case hex sha256 is in this shard.
    pub fn holds(&self, sha_hex: &str) -> bool {
        let head = sha_hex
            .get(..16)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        head % self.n == self.k - 1
    }
}

/// Parses `K/N` with 1 ≤ K ≤ N (a clap value parser).
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 2/8")?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("shard number `{k}` is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count `{n}` is not a number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("need 1 ≤ K ≤ N, got {k}/{n}"));
    }
    Ok(Shard { k, n })
}

/// Parses a byte size: a number with an optional K, M or G suffix (binary: 1K = 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 256M, 4G, 1048576)"))?;
    n.checked_mul(mul)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_by_hash_head() {
        let s = parse_shard("2/3").unwrap();
        // 0x10 = 16, 16 % 3 = 1 → shard 2.
        assert!(s.holds("0000000000000010ffff"));
        assert!(!s.holds("0000000000000011ffff"));
        assert!(parse_shard("0/3").is_err());
        assert!(parse_shard("4/3").is_err());
        assert!(parse_shard("3").is_err());
    }

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("4g"), Ok(4 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn dash_reads_paths_from_stdin() {
        let got = expand_stdin(
            vec!["a".into(), "-".into(), "z".into()],
            "b\nc\n".as_bytes(),
        );
        let want: Vec<PathBuf> = ["a", "b", "c", "z"].iter().map(PathBuf::from).collect();
        assert_eq!(got, want);
    }
}
