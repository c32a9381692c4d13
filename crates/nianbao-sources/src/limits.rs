//! The bounds that keep hostile archives (zip bombs, endless nesting) from taking the run down,
//! and the running budget they are checked against.

/// Bounds applied while expanding inputs. Every field has a CLI flag of the same name.
///
/// A member over a limit is still yielded, as an [`Item`](crate::Item) whose data is an
/// `ExtractError` of kind `too_large` naming the limit; the rest of the archive continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest document read into memory, in bytes: a file on disk or one archive member,
    /// counted as it is decompressed (declared sizes are never trusted).
    pub max_entry_bytes: u64,
    /// Most bytes decompressed out of one archive found on disk, nested archives included.
    pub max_total_bytes: u64,
    /// Largest ratio of decompressed to compressed bytes for one member. Members whose output
    /// stays under [`RATIO_GRACE_BYTES`] are exempt (small text compresses well).
    pub max_ratio: u64,
    /// Deepest archive nesting expanded. An archive on disk is level 1, an archive inside it
    /// level 2, and so on; an archive deeper than this is yielded as a `too_large` item.
    pub max_depth: u32,
}

/// Output size below which the compression ratio is not checked.
pub const RATIO_GRACE_BYTES: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 256 << 20,
            max_total_bytes: 4 << 30,
            max_ratio: 200,
            max_depth: 8,
        }
    }
}

/// Bytes still allowed to be decompressed from the archive being expanded. Reset for every
/// archive found on disk.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) remaining: u64,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Budget {
            remaining: limits.max_total_bytes,
        }
    }
}
