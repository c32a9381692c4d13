//! Reads the Unicode `cmap` subtable of an embedded TrueType program and inverts it
//! (glyph id → character). Only formats 4 and 12; every read is bounds-checked.

use std::collections::HashMap;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Upper bound on mapped code points, against hostile ranges.
const MAX_CHARS: usize = 1 << 17;

pub fn glyph_to_char(font: &[u8]) -> Option<HashMap<u16, char>> {
    let n_tables = u16_at(font, 4)? as usize;
    let cmap = (0..n_tables.min(64)).find_map(|i| {
        let rec = 12 + 16 * i;
        (font.get(rec..rec + 4)? == b"cmap")
            .then(|| u32_at(font, rec + 8))
            .flatten()
    })? as usize;
    let cmap = font.get(cmap..)?;
    let n_sub = u16_at(cmap, 2)? as usize;
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n_sub.min(64) {
        let (pid, eid, off) = (
            u16_at(cmap, 4 + 8 * i)?,
            u16_at(cmap, 6 + 8 * i)?,
            u32_at(cmap, 8 + 8 * i)?,
        );
        let rank = match (pid, eid) {
            (3, 10) | (0, 4) | (0, 6) => 2,
            (3, 1) | (0, _) => 1,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, off as usize));
        }
    }
    let sub = cmap.get(best?.1..)?;
    let mut out = HashMap::new();
    let mut put = |cp: u32, gid: u16| {
        if gid != 0 && out.len() < MAX_CHARS {
            if let Some(c) = char::from_u32(cp) {
                out.entry(gid).or_insert(c);
            }
        }
    };
    match u16_at(sub, 0)? {
        4 => {
            let segs = u16_at(sub, 6)? as usize / 2;
            let (ends, starts, deltas, ranges) = (14, 16 + 2 * segs, 16 + 4 * segs, 16 + 6 * segs);
            for s in 0..segs {
                let end = u16_at(sub, ends + 2 * s)? as u32;
                let start = u16_at(sub, starts + 2 * s)? as u32;
                let delta = u16_at(sub, deltas + 2 * s)?;
                let ro_at = ranges + 2 * s;
                let ro = u16_at(sub, ro_at)? as usize;
                for cp in start..=end.min(0xFFFE) {
                    let gid = if ro == 0 {
                        (cp as u16).wrapping_add(delta)
                    } else {
                        let at = ro_at + ro + 2 * (cp - start) as usize;
                        match u16_at(sub, at) {
                            Some(0) | None => 0,
                            Some(g) => g.wrapping_add(delta),
                        }
                    };
                    put(cp, gid);
                }
            }
        }
        12 => {
            let groups = u32_at(sub, 12)? as usize;
            for g in 0..groups.min(MAX_CHARS) {
                let at = 16 + 12 * g;
                let (start, end, gid) =
                    (u32_at(sub, at)?, u32_at(sub, at + 4)?, u32_at(sub, at + 8)?);
                for cp in start..=end.min(start.saturating_add(MAX_CHARS as u32)) {
                    put(cp, gid.wrapping_add(cp - start) as u16);
                }
            }
        }
        _ => return None,
    }
    Some(out)
}
