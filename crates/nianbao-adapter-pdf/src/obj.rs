//! Small helpers over lopdf's object model that never fail loudly: a missing or mistyped entry
//! is `None`, a reference chain is followed a bounded number of times.

use lopdf::{Dictionary, Document, Object, Stream};

/// Largest decompressed size of one stream we read (content, CMap, font program).
pub const MAX_STREAM_BYTES: usize = 64 << 20;

pub fn deref<'a>(doc: &'a Document, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..16 {
        match obj {
            Object::Reference(id) => obj = doc.get_object(*id).ok()?,
            other => return Some(other),
        }
    }
    None
}

pub fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    deref(doc, dict.get(key).ok()?)
}

pub fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, d, key)? {
        Object::Dictionary(x) => Some(x),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub fn stream<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Stream> {
    get(doc, d, key)?.as_stream().ok()
}

pub fn name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    get(doc, d, key)?.as_name().ok()
}

pub fn array<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Vec<Object>> {
    get(doc, d, key)?.as_array().ok()
}

pub fn num(doc: &Document, obj: &Object) -> Option<f32> {
    deref(doc, obj)?.as_float().ok().filter(|v| v.is_finite())
}

pub fn num_key(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f32> {
    num(doc, d.get(key).ok()?)
}

/// Numbers of an array entry (a matrix, a box); `None` unless exactly `n` numbers.
pub fn numbers(doc: &Document, d: &Dictionary, key: &[u8], n: usize) -> Option<Vec<f32>> {
    let a = array(doc, d, key)?;
    let v: Vec<f32> = a.iter().filter_map(|o| num(doc, o)).collect();
    (v.len() == n && a.len() == n).then_some(v)
}

/// Decoded stream bytes, bounded; raw bytes when there is no filter.
pub fn stream_bytes(s: &Stream) -> Option<Vec<u8>> {
    crate::flate::inflate_plain(s, MAX_STREAM_BYTES)
        .or_else(|| s.get_plain_content_with_limit(MAX_STREAM_BYTES).ok())
}
