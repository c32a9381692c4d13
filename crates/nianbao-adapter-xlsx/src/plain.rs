//! An xlsx workbook read off its inflated parts by [`cells`](crate::cells), without calamine:
//! the document calamine's reading gives, or [`Decline`] for anything outside the plain case
//! (then calamine reads it). Each sheet's text grid is laid out straight from its cells, as
//! `Range::from_sparse` lays them out (later cells of one position win), moving each string into
//! its place instead of building a range of values and copying them out of it.
use crate::cells::{self, Decline};
use crate::{merges, package};
use calamine::Data;
use nianbao_core::{Document, ExtractError};

/// The workbook's document, or its error (a sheet too large), or [`Decline`].
pub fn read(parts: &package::Parts) -> Result<Result<Document, ExtractError>, Decline> {
    let workbook = parts.workbook().ok_or(Decline)?;
    let sheets = &workbook.sheets;
    // calamine finds a sheet by name: of two with one name, it would read the first twice.
    let repeated = |i: usize| sheets[..i].iter().any(|s| s.name == sheets[i].name);
    if (0..sheets.len()).any(|i| !sheets[i].worksheet || repeated(i)) {
        return Err(Decline);
    }
    let part = |name: &str| parts.get(&format!("{}{name}", workbook.folder));
    let shared = cells::Shared::read(part("sharedStrings.xml"), part("styles.xml"))?;
    let mut doc = Document::default();
    for sheet in sheets {
        let merges = merges::merged_regions(sheet.xml).ok_or(Decline)?;
        let cells = cells::sheet(sheet.xml, &shared)?;
        if let Err(e) = push_sheet(&sheet.name, cells, merges, &mut doc) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(doc))
}

/// One sheet's blocks, and the warning about formulas without a cached value.
fn push_sheet(
    name: &str,
    sheet: cells::Sheet,
    merges: Vec<nianbao_core::grid::Merge>,
    doc: &mut Document,
) -> Result<(), ExtractError> {
    let mut values = sheet.values;
    let Some(bounds) = Bounds::of(values.iter().map(|(pos, _)| *pos)) else {
        return Ok(());
    };
    let (height, width) = (bounds.height(), bounds.width());
    // Checked before anything of that size is allocated.
    crate::check_size(name, height, width)?;
    // Which value each place shows: the last one written there.
    let mut shown = vec![usize::MAX; height * width];
    for (i, (pos, _)) in values.iter().enumerate() {
        shown[bounds.index(*pos)] = i;
    }
    if !sheet.formulas.is_empty() {
        let mut formulas = sheet.formulas;
        // In sheet order, the last formula written at a place standing for it.
        formulas.reverse();
        formulas.sort_by_key(|(pos, _)| *pos);
        formulas.dedup_by_key(|(pos, _)| *pos);
        let value_at = |pos: (u32, u32)| {
            let i = *shown.get(bounds.index_within(pos)?)?;
            values.get(i).map(|(_, v)| v)
        };
        let cells = formulas.iter().map(|(pos, f)| (*pos, f, value_at(*pos)));
        crate::warn_blank_formulas(name, cells, doc);
    }
    let mut text = Vec::with_capacity(height);
    for row in shown.chunks(width) {
        let cells = row.iter().map(|&i| match values.get_mut(i) {
            Some((_, value)) => owned_text(std::mem::take(value)),
            None => String::new(),
        });
        text.push(cells.collect());
    }
    crate::push_sheet(
        name,
        (bounds.first_row, bounds.first_col),
        text,
        merges,
        doc,
    );
    Ok(())
}

/// [`crate::cell_text`] of a value that is given up: a string already trimmed is moved.
fn owned_text(value: Data) -> String {
    match value {
        Data::String(s) if s.trim().len() == s.len() => s,
        other => crate::cell_text(&other),
    }
}

/// The rows and columns a sheet's cells span.
pub(crate) struct Bounds {
    first_row: u32,
    last_row: u32,
    first_col: u32,
    last_col: u32,
}

impl Bounds {
    pub fn of(mut cells: impl Iterator<Item = (u32, u32)>) -> Option<Bounds> {
        let (r, c) = cells.next()?;
        let mut b = Bounds {
            first_row: r,
            last_row: r,
            first_col: c,
            last_col: c,
        };
        for (r, c) in cells {
            b.first_row = b.first_row.min(r);
            b.last_row = b.last_row.max(r);
            b.first_col = b.first_col.min(c);
            b.last_col = b.last_col.max(c);
        }
        Some(b)
    }

    pub fn height(&self) -> usize {
        (self.last_row - self.first_row) as usize + 1
    }

    pub fn width(&self) -> usize {
        (self.last_col - self.first_col) as usize + 1
    }

    /// The place of a cell within the bounds, row by row.
    fn index(&self, (r, c): (u32, u32)) -> usize {
        (r - self.first_row) as usize * self.width() + (c - self.first_col) as usize
    }

    /// [`Bounds::index`] of a cell that may lie outside.
    fn index_within(&self, (r, c): (u32, u32)) -> Option<usize> {
        let inside = (self.first_row..=self.last_row).contains(&r)
            && (self.first_col..=self.last_col).contains(&c);
        inside.then(|| self.index((r, c)))
    }
}
