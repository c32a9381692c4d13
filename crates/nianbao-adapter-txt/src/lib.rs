//! Plain-text reports.
use nianbao_core::{Adapter, Document, ExtractError, Input};

pub struct TxtAdapter;

impl Adapter for TxtAdapter {
    fn name(&self) -> &'static str {
        "txt"
    }
    fn describe(&self) -> &'static str {
        "plain text (UTF-8, GB18030/GBK, UTF-16)"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        200
    }
    fn sniff(&self, _bytes: &[u8]) -> bool {
        true
    }
    fn extract(&self, _input: &Input<'_>) -> Result<Document, ExtractError> {
        Err(ExtractError::corrupt("not yet"))
    }
}

static TXT: TxtAdapter = TxtAdapter;
nianbao_core::register_adapter!(TXT);
