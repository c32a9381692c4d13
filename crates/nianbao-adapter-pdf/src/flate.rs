//! FlateDecode for the common stream: one `/FlateDecode` filter and no `/DecodeParms` (page
//! contents, ToUnicode CMaps). One inflater per thread is reset for each stream, and the output
//! grows in place. lopdf makes a new inflater per stream, and zeroing its 32 KB window, with
//! the buffers of its reader, was a twentieth of a PDF worker's instructions.
use flate2::{Decompress, FlushDecompress, Status};
use lopdf::Stream;
use std::cell::RefCell;

/// The inflated content, at most `limit` bytes; `None` for any other kind of stream, or when
/// inflating stops on an error or passes `limit`: lopdf then decodes it, with its fallbacks
/// for damaged streams, and gives the same result it always gave.
pub fn inflate_plain(s: &Stream, limit: usize) -> Option<Vec<u8>> {
    let input = s.content.as_slice();
    let one_flate = s.filters().ok()? == [b"FlateDecode".as_slice()];
    if !one_flate || s.dict.has(b"DecodeParms") || input.is_empty() {
        return None;
    }
    thread_local! {
        static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
    }
    INFLATER.with(|inflater| {
        let mut d = inflater.borrow_mut();
        d.reset(true);
        let mut out = Vec::with_capacity(input.len().saturating_mul(4).clamp(4096, limit + 1));
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.len().min(limit + 1 - out.len()));
            }
            let (read, written) = (d.total_in(), d.total_out());
            let status = d
                .decompress_vec(&input[read as usize..], &mut out, FlushDecompress::None)
                .ok()?;
            if out.len() > limit {
                return None;
            }
            match status {
                Status::StreamEnd => return Some(out),
                // An inflater may stop before the input or the room runs out: call it again.
                _ if d.total_in() > read || d.total_out() > written => {}
                // All the input read and no end of stream (a truncated stream): what it held
                // is the content, as lopdf's reader gives it.
                _ if d.total_in() as usize == input.len() => return Some(out),
                _ => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::ZlibEncoder;
    use flate2::Compression;
    use lopdf::{dictionary, Object};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn stream(filter: Object, content: Vec<u8>) -> Stream {
        Stream::new(dictionary! { "Filter" => filter }, content)
    }

    /// Content-stream-like text that compresses about 20 times.
    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("BT /F1 12 Tf {} {} Td (第{i}行) Tj ET\n", i % 500, i % 700))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn inflates_what_lopdf_inflates() {
        let limit = 1 << 20;
        let whole = zlib(&text(2000));
        let mut cases = vec![
            whole.clone(),
            zlib(b"q 1 0 0 1 0 0 cm Q"),
            whole[..whole.len() / 2].to_vec(),
            [whole.clone(), b"garbage after the end".to_vec()].concat(),
        ];
        let mut bad_sum = whole.clone();
        *bad_sum.last_mut().unwrap() ^= 1;
        cases.push(bad_sum);
        let mut inflated = 0;
        for content in cases {
            for filter in [
                Object::Name(b"FlateDecode".to_vec()),
                Object::Array(vec![Object::Name(b"FlateDecode".to_vec())]),
            ] {
                let s = stream(filter, content.clone());
                let lopdf = s.get_plain_content_with_limit(limit).ok();
                let ours = inflate_plain(&s, limit);
                if ours.is_some() {
                    inflated += 1;
                    assert_eq!(ours, lopdf);
                }
            }
        }
        // Whole, short, truncated and trailed streams, under either spelling of the filter;
        // the bad checksum is left to lopdf.
        assert_eq!(inflated, 8);
    }

    #[test]
    fn other_streams_and_bombs_are_left_to_lopdf() {
        let content = zlib(&text(200));
        let mut with_parms = stream(Object::Name(b"FlateDecode".to_vec()), content.clone());
        with_parms
            .dict
            .set("DecodeParms", dictionary! { "Predictor" => 12 });
        assert_eq!(inflate_plain(&with_parms, 1 << 20), None);
        let two = Object::Array(vec![
            Object::Name(b"ASCIIHexDecode".to_vec()),
            Object::Name(b"FlateDecode".to_vec()),
        ]);
        assert_eq!(inflate_plain(&stream(two, content.clone()), 1 << 20), None);
        let big = stream(
            Object::Name(b"FlateDecode".to_vec()),
            zlib(&vec![b' '; 100_000]),
        );
        assert_eq!(inflate_plain(&big, 99_999), None);
        assert_eq!(inflate_plain(&big, 100_000).map(|v| v.len()), Some(100_000));
    }
}
