//! html reports.
//!
//! Scaffolded by `cargo xtask new-adapter html`: a stub that recognises no bytes and refuses
//! to extract, so that nothing is routed here until the format is implemented.
use nianbao_core::{Adapter, Document, ErrorKind, ExtractError, Input};

pub struct HtmlAdapter;

impl Adapter for HtmlAdapter {
    fn name(&self) -> &'static str {
        "html"
    }
    fn describe(&self) -> &'static str {
        "html (stub: not implemented yet)"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        // Specific binary formats use 10–50, catch-all text formats 100 and above.
        100
    }
    fn sniff(&self, _bytes: &[u8]) -> bool {
        false
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        Err(ExtractError::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "{}: the html adapter is a stub (scaffolded by `cargo xtask new-adapter`) \
                 and cannot read documents yet",
                input.path
            ),
        ))
    }
}

static HTML: HtmlAdapter = HtmlAdapter;
nianbao_core::register_adapter!(HTML);
