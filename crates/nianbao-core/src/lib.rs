//! The document model every adapter produces and the template crate consumes, and the
//! registry through which adapters announce themselves.
//!
//! Data flows one way: bytes → [`Adapter::extract`] → [`Document`] → template mapping → record.
//! An adapter knows nothing of the report template; the template crate knows nothing of formats.

mod adapter;
pub mod cfb;
mod error;
pub mod grid;
pub mod inflate;
mod model;
pub mod pages;
pub mod props;
pub mod sniff;
pub mod word_table;

pub use adapter::{adapters, detect, Adapter, AdapterRegistration, Input, Limits};
pub use error::{ErrorKind, ExtractError};
/// FNV-1a, for small keys (short names, codes) looked up in hot loops, where the standard
/// library's DoS-resistant SipHash costs more than the lookup. Tables keyed by a document's own
/// data stay bounded in size (a CMap is capped), so a crafted set of colliding keys costs time
/// within the document's time limit, not memory.
pub use fnv::FnvHasher as Fnv;
pub use model::{Block, Cell, Document, Paragraph, Provenance, Table};

/// Re-exported so adapter crates register with the same `inventory` version as the registry.
pub use inventory;

/// Registers an adapter value (a `static` implementing [`Adapter`]) with the global registry.
///
/// ```ignore
/// static TXT: TxtAdapter = TxtAdapter;
/// nianbao_core::register_adapter!(TXT);
/// ```
#[macro_export]
macro_rules! register_adapter {
    ($adapter:expr) => {
        $crate::inventory::submit! { $crate::AdapterRegistration(&$adapter) }
    };
}
