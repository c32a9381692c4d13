pub mod raw_zip;
