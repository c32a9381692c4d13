//! The Word 97-2003 binary format ([MS-DOC]): the FIB, the piece table (CLX), the text of the
//! main document, and the paragraph properties that say which paragraphs are table cells and
//! row ends (PAPX in FKP pages, with the row's TAP on its row-end paragraph).
//!
//! Every offset read from the file is checked against the stream it points into.

use nianbao_core::{ErrorKind, ExtractError};

/// Table rows wider than this are cut (Word itself stops at 63 cells).
const MAX_CELLS: usize = 255;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn corrupt(what: impl std::fmt::Display) -> ExtractError {
    ExtractError::corrupt(format!("damaged Word document: {what}"))
}

/// An (offset, length) pair of the FIB pointing into the table stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct FcLcb {
    pub fc: u32,
    pub lcb: u32,
}

impl FcLcb {
    /// The bytes it points to, or `None` when it is empty.
    fn slice<'a>(&self, stream: &'a [u8], what: &str) -> Result<Option<&'a [u8]>, ExtractError> {
        if self.lcb == 0 {
            return Ok(None);
        }
        let start = self.fc as usize;
        let end = start.checked_add(self.lcb as usize);
        match end.and_then(|end| stream.get(start..end)) {
            Some(s) => Ok(Some(s)),
            None => Err(corrupt(format!(
                "the {what} ({} bytes at {}) lies outside the table stream of {} bytes",
                self.lcb,
                self.fc,
                stream.len()
            ))),
        }
    }
}

/// What is read from the File Information Block.
#[derive(Debug, Clone)]
pub struct Fib {
    pub n_fib: u16,
    /// `fWhichTblStm`: the table stream is `1Table` (else `0Table`).
    pub table_1: bool,
    /// Characters of the main document.
    pub ccp_text: u32,
    pub clx: FcLcb,
    pub bte_papx: FcLcb,
}

impl Fib {
    pub fn table_stream_name(&self) -> &'static str {
        if self.table_1 {
            "1Table"
        } else {
            "0Table"
        }
    }
}

/// Reads the FIB at the start of the `WordDocument` stream.
pub fn parse_fib(w: &[u8]) -> Result<Fib, ExtractError> {
    let (Some(ident), Some(n_fib), Some(flags)) = (u16_at(w, 0), u16_at(w, 2), u16_at(w, 0x0A))
    else {
        return Err(corrupt(format!(
            "the WordDocument stream is {} bytes, too short for its header",
            w.len()
        )));
    };
    if ident != 0xA5EC {
        return Err(corrupt(format!(
            "the WordDocument stream does not start with a Word 97-2003 header (found {ident:#06x})"
        )));
    }
    // fEncrypted (bit 8), fObfuscated (bit 15): the text is unreadable without the password.
    if flags & 0x0100 != 0 {
        let how = if flags & 0x8000 != 0 {
            "XOR obfuscation"
        } else {
            "RC4 encryption"
        };
        return Err(ExtractError::encrypted(format!(
            "password-protected Word document (.doc, {how}): remove the password and convert again"
        )));
    }
    if n_fib < 0xC0 {
        return Err(ExtractError::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "a Word 6.0/95 or older document (nFib {n_fib:#x}), which this reader does not \
                 handle: save it as .docx and convert again"
            ),
        ));
    }
    let short = || corrupt("the file information block (FIB) is cut short");
    let csw = u16_at(w, 0x20).ok_or_else(short)? as usize;
    let rg_lw = 0x22 + 2 * csw + 2;
    let cslw = u16_at(w, rg_lw - 2).ok_or_else(short)? as usize;
    if cslw < 4 {
        return Err(corrupt(format!(
            "the FIB has {cslw} long values, fewer than Word 97's"
        )));
    }
    let ccp_text = u32_at(w, rg_lw + 12).ok_or_else(short)?;
    let rg_fc = rg_lw + 4 * cslw + 2;
    let cb_fc = u16_at(w, rg_fc - 2).ok_or_else(short)? as usize;
    let pair = |i: usize| -> Result<FcLcb, ExtractError> {
        if i >= cb_fc {
            return Ok(FcLcb::default());
        }
        Ok(FcLcb {
            fc: u32_at(w, rg_fc + 8 * i).ok_or_else(short)?,
            lcb: u32_at(w, rg_fc + 8 * i + 4).ok_or_else(short)?,
        })
    };
    Ok(Fib {
        n_fib,
        table_1: flags & 0x0200 != 0,
        ccp_text,
        bte_papx: pair(13)?,
        clx: pair(33)?,
    })
}

/// The main document's text, one UTF-16 unit per character position, with where each
/// character lies in the `WordDocument` stream (for the paragraph property lookup) and the
/// property modifier of its piece.
#[derive(Debug, Default)]
pub struct Text {
    pub units: Vec<u16>,
    pub fcs: Vec<u32>,
    pub prms: Vec<u16>,
}

/// The piece table and the property groups (Prc) before it.
pub struct Clx<'a> {
    prcs: Vec<&'a [u8]>,
    /// (first character position, one past the last, raw FC with the compression bit, prm).
    pieces: Vec<(u32, u32, u32, u16)>,
}

pub fn parse_clx<'a>(fib: &Fib, table: &'a [u8]) -> Result<Clx<'a>, ExtractError> {
    let clx = fib.clx.slice(table, "piece table")?.ok_or_else(|| {
        corrupt("the document has no piece table (CLX), so its text cannot be located")
    })?;
    let mut prcs = Vec::new();
    let mut i = 0usize;
    let plc = loop {
        match clx.get(i) {
            Some(1) => {
                let cb = u16_at(clx, i + 1)
                    .ok_or_else(|| corrupt("the piece table is cut short"))?
                    as usize;
                let grpprl = clx
                    .get(i + 3..i + 3 + cb)
                    .ok_or_else(|| corrupt("the piece table is cut short"))?;
                prcs.push(grpprl);
                i += 3 + cb;
            }
            Some(2) => {
                let lcb = u32_at(clx, i + 1)
                    .ok_or_else(|| corrupt("the piece table is cut short"))?
                    as usize;
                break clx
                    .get(i + 5..(i + 5).saturating_add(lcb))
                    .ok_or_else(|| corrupt("the piece table is cut short"))?;
            }
            Some(t) => return Err(corrupt(format!("unknown piece table entry type {t}"))),
            None => return Err(corrupt("the piece table has no piece descriptors")),
        }
    };
    if plc.len() < 16 {
        return Err(corrupt("the piece table is empty"));
    }
    let n = (plc.len() - 4) / 12;
    let mut pieces = Vec::with_capacity(n);
    for k in 0..n {
        let (Some(cp0), Some(cp1)) = (u32_at(plc, 4 * k), u32_at(plc, 4 * k + 4)) else {
            return Err(corrupt("the piece table is cut short"));
        };
        let pcd = 4 * (n + 1) + 8 * k;
        let (Some(fc), Some(prm)) = (u32_at(plc, pcd + 2), u16_at(plc, pcd + 6)) else {
            return Err(corrupt("the piece table is cut short"));
        };
        if cp1 < cp0 {
            return Err(corrupt(
                "the piece table's character positions go backwards",
            ));
        }
        pieces.push((cp0, cp1, fc, prm));
    }
    Ok(Clx { prcs, pieces })
}

impl Clx<'_> {
    /// The sprms a piece's `prm` adds (only the Prc form; the one-sprm form holds character
    /// and paragraph formatting that tables do not depend on).
    pub fn prm_sprms(&self, prm: u16) -> &[u8] {
        if prm & 1 == 1 {
            self.prcs.get((prm >> 1) as usize).copied().unwrap_or(&[])
        } else {
            &[]
        }
    }

    /// Decodes the main document's characters: UTF-16LE pieces as they are, compressed pieces
    /// (one byte a character) through Word's cp1252 mapping.
    pub fn text(&self, fib: &Fib, w: &[u8]) -> Result<Text, ExtractError> {
        // Every character takes at least one byte of the stream.
        let want = fib.ccp_text as usize;
        if want > w.len() {
            return Err(corrupt(format!(
                "the header counts {want} characters of text in a stream of {} bytes",
                w.len()
            )));
        }
        let mut t = Text {
            units: Vec::with_capacity(want),
            fcs: Vec::with_capacity(want),
            prms: Vec::with_capacity(want),
        };
        let mut next_cp = 0u32;
        for &(cp0, cp1, fc, prm) in &self.pieces {
            if t.units.len() >= want {
                break;
            }
            if cp0 != next_cp {
                return Err(corrupt(format!(
                    "the piece table skips from character {next_cp} to {cp0}"
                )));
            }
            next_cp = cp1;
            let count = ((cp1 - cp0) as usize).min(want - t.units.len());
            let compressed = fc & 0x4000_0000 != 0;
            let fc = fc & 0x3FFF_FFFF;
            let (start, width) = if compressed {
                (fc as usize / 2, 1)
            } else {
                (fc as usize, 2)
            };
            let bytes = start
                .checked_add(count * width)
                .and_then(|end| w.get(start..end))
                .ok_or_else(|| {
                    corrupt(format!(
                        "a text piece ({count} characters at byte {start}) lies outside the \
                         WordDocument stream of {} bytes (truncated?)",
                        w.len()
                    ))
                })?;
            if compressed {
                for (k, &b) in bytes.iter().enumerate() {
                    t.units.push(cp1252(b));
                    t.fcs.push((start + k) as u32);
                    t.prms.push(prm);
                }
            } else {
                for (k, c) in bytes.chunks_exact(2).enumerate() {
                    t.units.push(u16::from_le_bytes([c[0], c[1]]));
                    t.fcs.push((start + 2 * k) as u32);
                    t.prms.push(prm);
                }
            }
        }
        if t.units.len() < want {
            return Err(corrupt(format!(
                "the piece table covers {} of the {} characters of the text",
                t.units.len(),
                fib.ccp_text
            )));
        }
        Ok(t)
    }
}

/// A compressed piece's byte: Latin-1 except the 0x80–0x9F range, which follows cp1252.
fn cp1252(b: u8) -> u16 {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => u16::from(b),
    }
}

/// The paragraph properties on the paragraph mark's run, by stream offset.
pub struct Papx<'a> {
    /// (first FC, one past the last FC, grpprl) sorted by FC.
    runs: Vec<(u32, u32, &'a [u8])>,
}

/// Reads the PAPX FKP pages listed by the PlcBtePapx. Pages that lie outside the stream are
/// reported in `warnings` and skipped.
pub fn parse_papx<'a>(
    fib: &Fib,
    table: &[u8],
    w: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Papx<'a>, ExtractError> {
    let mut runs = Vec::new();
    let Some(plc) = fib.bte_papx.slice(table, "paragraph property index")? else {
        return Ok(Papx { runs });
    };
    let n = plc.len().saturating_sub(4) / 8;
    let mut missing = 0;
    for k in 0..n {
        let pn = u32_at(plc, 4 * (n + 1) + 4 * k).unwrap_or(0) & 0x3F_FFFF;
        let start = pn as usize * 512;
        let Some(page) = w.get(start..start + 512) else {
            missing += 1;
            continue;
        };
        let crun = page[511] as usize;
        if crun == 0 || 4 * (crun + 1) + 13 * crun > 511 {
            missing += 1;
            continue;
        }
        for i in 0..crun {
            let (Some(fc0), Some(fc1)) = (u32_at(page, 4 * i), u32_at(page, 4 * i + 4)) else {
                break;
            };
            let b_offset = page[4 * (crun + 1) + 13 * i] as usize * 2;
            let grpprl: &[u8] = if b_offset == 0 {
                &[]
            } else {
                papx_in_fkp(page, b_offset)
            };
            if fc1 > fc0 {
                runs.push((fc0, fc1, grpprl));
            }
        }
    }
    if missing > 0 {
        warnings.push(format!(
            "{missing} paragraph property page(s) could not be read; table structure may be \
             incomplete"
        ));
    }
    runs.sort_by_key(|r| r.0);
    Ok(Papx { runs })
}

/// The grpprl of a PapxInFkp at `at` in an FKP page (its istd is skipped).
fn papx_in_fkp(page: &[u8], at: usize) -> &[u8] {
    let Some(&cb) = page.get(at) else {
        return &[];
    };
    let (start, len) = if cb != 0 {
        (at + 1, 2 * cb as usize - 1)
    } else {
        match page.get(at + 1) {
            Some(&cb2) => (at + 2, 2 * cb2 as usize),
            None => return &[],
        }
    };
    // The last byte of the page is crun, not property data.
    let end = (start + len).min(511);
    page.get(start + 2..end).unwrap_or(&[])
}

impl<'a> Papx<'a> {
    /// The grpprl that applies to the paragraph whose mark lies at stream offset `fc`.
    pub fn at(&self, fc: u32) -> &'a [u8] {
        let i = self.runs.partition_point(|r| r.0 <= fc);
        match i.checked_sub(1).map(|i| self.runs[i]) {
            Some((_, end, grpprl)) if fc < end => grpprl,
            _ => &[],
        }
    }
}

/// A table row's definition (TAP): cell edges in twips and each cell's flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tap {
    /// `itcMac + 1` cell boundaries.
    pub centers: Vec<i16>,
    /// Each cell's `tcgrf` (TC80 flags): bit 0 fFirstMerged, 1 fMerged, 5 fVertMerge,
    /// 6 fVertRestart.
    pub flags: Vec<u16>,
}

/// What the table reader needs of a paragraph's properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pap {
    pub in_table: bool,
    /// Row end of a depth-1 table (`sprmPFTtp`).
    pub ttp: bool,
    pub itap: i32,
    /// Cell end of a nested table (`sprmPFInnerTableCell`).
    pub inner_cell: bool,
    /// Row end of a nested table (`sprmPFInnerTtp`).
    pub inner_ttp: bool,
    pub tap: Option<Tap>,
}

impl Pap {
    /// Table nesting depth: 0 outside tables.
    pub fn depth(&self) -> usize {
        if self.itap > 0 {
            self.itap as usize
        } else if self.in_table {
            1
        } else {
            0
        }
    }

    /// Applies a grpprl (a run of sprms) on top of these properties. `data` is the `Data`
    /// stream, where properties too large for their page are kept (`sprmPHugePapx`).
    pub fn apply(&mut self, grpprl: &[u8], data: &[u8]) {
        self.apply_sprms(grpprl, Some(data));
    }

    fn apply_sprms(&mut self, grpprl: &[u8], data: Option<&[u8]>) {
        for (sprm, op) in Sprms(grpprl) {
            let byte = op.first().copied().unwrap_or(0);
            match sprm {
                // sprmPHugePapx: the rest of the properties, at an offset in the Data stream
                // (a 2-byte size, then the sprms). Not followed a second time.
                0x6646 => {
                    if let (Some(data), Some(fc)) = (data, u32_at(op, 0)) {
                        let at = fc as usize;
                        if let Some(cb) = u16_at(data, at) {
                            let end = (at + 2 + cb as usize).min(data.len());
                            if let Some(huge) = data.get(at + 2..end) {
                                self.apply_sprms(huge, None);
                            }
                        }
                    }
                }
                0x2416 => self.in_table = byte != 0,
                0x2417 => self.ttp = byte != 0,
                0x244B => self.inner_cell = byte != 0,
                0x244C => self.inner_ttp = byte != 0,
                0x6649 => self.itap = u32_at(op, 0).unwrap_or(0) as i32,
                0x664A => self.itap = self.itap.saturating_add(u32_at(op, 0).unwrap_or(0) as i32),
                // sprmTDefTable
                0xD608 => self.tap = def_table(op),
                // sprmTVertMerge: itc, then 0 none, 1 continue, 3 restart.
                0xD62B => {
                    if let (Some(tap), Some(&itc), Some(&how)) =
                        (self.tap.as_mut(), op.get(1), op.get(2))
                    {
                        if let Some(f) = tap.flags.get_mut(itc as usize) {
                            *f &= !0x60;
                            if how & 1 != 0 {
                                *f |= 0x20;
                            }
                            if how & 2 != 0 {
                                *f |= 0x40;
                            }
                        }
                    }
                }
                // sprmTMerge: cells itcFirst..itcLim become one.
                0x5624 => {
                    if let (Some(tap), Some(&first), Some(&lim)) =
                        (self.tap.as_mut(), op.first(), op.get(1))
                    {
                        let (first, lim) = (first as usize, (lim as usize).min(tap.flags.len()));
                        for i in first..lim {
                            tap.flags[i] |= if i == first { 0x01 } else { 0x02 };
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The TDefTableOperand: cb (2 bytes), itcMac, rgdxaCenter[itcMac + 1], rgTc80[≤ itcMac].
fn def_table(op: &[u8]) -> Option<Tap> {
    let n = (*op.get(2)? as usize).min(MAX_CELLS);
    let centers: Vec<i16> = (0..=n)
        .map(|i| u16_at(op, 3 + 2 * i).map(|v| v as i16))
        .collect::<Option<_>>()?;
    let tcs = 3 + 2 * (n + 1);
    let flags = (0..n)
        .map(|i| u16_at(op, tcs + 20 * i).unwrap_or(0))
        .collect();
    Some(Tap { centers, flags })
}

/// Iterates the (sprm, operand) pairs of a grpprl; stops at the first one cut short.
struct Sprms<'a>(&'a [u8]);

impl<'a> Iterator for Sprms<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        let sprm = u16_at(b, 0)?;
        let len = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match sprm {
                // sprmTDefTable, sprmTDefTable10: a 2-byte size, one more than what follows.
                0xD608 | 0xD606 => 2 + (u16_at(b, 2)? as usize).saturating_sub(1),
                // sprmPChgTabs: a size of 255 means two counted lists follow.
                0xC615 if *b.get(2)? == 255 => {
                    let del = *b.get(3)? as usize;
                    let add = *b.get(4 + 4 * del)? as usize;
                    1 + 1 + 4 * del + 1 + 3 * add
                }
                _ => 1 + *b.get(2)? as usize,
            },
        };
        let op = b.get(2..2 + len)?;
        self.0 = &b[2 + len..];
        Some((sprm, op))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprms_of_each_operand_size() {
        let mut g = vec![0x16, 0x24, 1]; // sprmPFInTable 1
        g.extend([0x49, 0x66, 2, 0, 0, 0]); // sprmPItap 2
        g.extend([0x2B, 0xD6, 2, 1, 3]); // sprmTVertMerge (before any TDefTable: ignored)
                                         // sprmTDefTable: two cells, edges 0, 100, 300; TC80 flags restart / merged.
        let mut op = vec![2u8];
        for c in [0i16, 100, 300] {
            op.extend(c.to_le_bytes());
        }
        let mut tc = vec![0u8; 20];
        tc[0] = 0x60;
        op.extend(&tc);
        tc[0] = 0x20;
        op.extend(&tc);
        g.extend(0xD608u16.to_le_bytes());
        g.extend(((op.len() + 1) as u16).to_le_bytes());
        g.extend(&op);
        g.extend([0x17, 0x24, 1]); // sprmPFTtp
        g.extend([0x2B, 0xD6, 2, 1, 0]); // sprmTVertMerge: cell 1 not merged
        let mut p = Pap::default();
        p.apply(&g, &[]);
        assert!(p.in_table && p.ttp);
        assert_eq!(p.itap, 2);
        assert_eq!(
            p.tap,
            Some(Tap {
                centers: vec![0, 100, 300],
                flags: vec![0x60, 0]
            })
        );
        // Cut short: stops without panicking.
        let mut q = Pap::default();
        q.apply(&g[..g.len() - 7], &[]);
        q.apply(&[0x08, 0xD6, 0xFF, 0xFF, 1], &[]);
        q.apply(&[0x15, 0xC6, 255, 9], &[]);
        // sprmPHugePapx: the properties in the Data stream, its offset checked.
        let mut data = vec![0u8; 4];
        data.extend(3u16.to_le_bytes());
        data.extend([0x16, 0x24, 1]);
        let mut h = Pap::default();
        h.apply(&[0x46, 0x66, 4, 0, 0, 0], &data);
        assert!(h.in_table);
        h.apply(&[0x46, 0x66, 0xFF, 0xFF, 0xFF, 0xFF], &data);
    }

    #[test]
    fn compressed_bytes_follow_cp1252() {
        assert_eq!(cp1252(b'A'), 0x41);
        assert_eq!(cp1252(0x93), 0x201C);
        assert_eq!(cp1252(0xE9), 0xE9);
    }
}
