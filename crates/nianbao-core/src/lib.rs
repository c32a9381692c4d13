//! The document model every adapter produces and the template crate consumes, and the
//! registry through which adapters announce themselves.
//!
//! Data flows one way: bytes → [`Adapter::extract`] → [`Document`] → template mapping → record.
//! An adapter knows nothing of the report template; the template crate knows nothing of formats.

mod adapter;
pub mod cfb;
mod error;
mod fnv;
pub mod grid;
pub mod inflate;
mod model;
pub mod props;
pub mod sniff;
pub mod word_table;

pub use adapter::{adapters, detect, Adapter, AdapterRegistration, Input, Limits};
pub use error::{ErrorKind, ExtractError};
pub use fnv::Fnv;
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
