//! The adapter interface (one implementation per format), the limits every adapter respects,
//! and the registry through which adapters announce themselves and are picked by sniffing.
use crate::{Document, ExtractError};
use std::sync::OnceLock;
use std::time::Duration;

/// Bounds an adapter must respect so that one hostile file cannot take the batch down.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest uncompressed size of one part inside a container (a zip entry of a DOCX/XLSX).
    pub max_part_bytes: u64,
    /// Largest uncompressed/compressed ratio accepted for a container part (zip bombs).
    pub max_ratio: u64,
    /// Wall-clock budget for one document; adapters with long loops check it.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_part_bytes: 256 << 20,
            max_ratio: 200,
            time_budget: Duration::from_secs(60),
        }
    }
}

/// What an adapter gets: the document's bytes and where they came from.
pub struct Input<'a> {
    pub bytes: &'a [u8],
    /// Display path (`outer.zip!/inner.docx` inside archives); for messages only, never for
    /// deciding the format.
    pub path: &'a str,
    pub limits: &'a Limits,
}

/// A source format. One crate per format implements it and registers a `static` value with
/// [`register_adapter!`](crate::register_adapter).
pub trait Adapter: Sync + Send {
    /// Short name written to `source.format`: `txt`, `docx`, `pdf`, …
    fn name(&self) -> &'static str;
    /// Human description of what it reads, for `nianbao formats`.
    fn describe(&self) -> &'static str;
    /// Crate version of the adapter.
    fn version(&self) -> &'static str;
    /// Order in which adapters are asked to sniff: lower first. Specific binary formats use
    /// 10–50; catch-all text formats 100 and above.
    fn priority(&self) -> u32;
    /// Whether these bytes are this adapter's format. Must look at content, never at the path.
    fn sniff(&self, bytes: &[u8]) -> bool;
    /// Reads the document into the model. Must not panic on any input (the caller still
    /// catches panics, but a panic is recorded as an `internal` error, a bug).
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError>;
}

/// The registration record collected by `inventory`.
pub struct AdapterRegistration(pub &'static dyn Adapter);

inventory::collect!(AdapterRegistration);

/// Every registered adapter, in sniffing order (`inventory` itself gives no fixed order).
/// Collected and sorted once per process.
pub fn adapters() -> &'static [&'static dyn Adapter] {
    static SORTED: OnceLock<Vec<&'static dyn Adapter>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut all: Vec<&'static dyn Adapter> = inventory::iter::<AdapterRegistration>
            .into_iter()
            .map(|r| r.0)
            .collect();
        all.sort_by_key(|a| (a.priority(), a.name()));
        all
    })
}

/// The first adapter, in priority order, that recognises the bytes.
pub fn detect(bytes: &[u8]) -> Option<&'static dyn Adapter> {
    adapters().iter().copied().find(|a| a.sniff(bytes))
}
