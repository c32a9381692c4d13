//! Helpers shared by the archive tests: a zip writer that can lie.
pub mod raw_zip;
