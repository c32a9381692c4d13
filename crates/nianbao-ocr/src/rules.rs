//! Table ruling lines of a straightened page: long thin runs of ink, horizontal and vertical.
//! Text strokes are short (a character is at most about 0.2 inch), so length separates them;
//! a short vertical run only counts when it joins two horizontal rules (a row of one line).
use image::GrayImage;

/// A ruling line in pixels; `y0 == y1` for a horizontal one, `x0 == x1` for a vertical one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Segment {
    pub fn is_horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

/// Runs of ink along one axis: `(across, start, end)` for every line of pixels; gaps of up to
/// `gap` pixels (noise, a broken scan line) are bridged.
fn runs(
    img: &GrayImage,
    ink: u8,
    horizontal: bool,
    min_len: u32,
    gap: u32,
) -> Vec<(u32, u32, u32)> {
    let (w, h) = img.dimensions();
    let (n_lines, len) = if horizontal { (h, w) } else { (w, h) };
    let px = img.as_raw();
    let dark = |line: u32, i: u32| {
        let (x, y) = if horizontal { (i, line) } else { (line, i) };
        px[y as usize * w as usize + x as usize] < ink
    };
    let mut out = Vec::new();
    for line in 0..n_lines {
        let mut start: Option<u32> = None;
        let mut last = 0u32;
        for i in 0..len {
            if dark(line, i) {
                match start {
                    Some(_) if i - last <= gap + 1 => {}
                    Some(s) => {
                        if last + 1 - s >= min_len {
                            out.push((line, s, last + 1));
                        }
                        start = Some(i);
                    }
                    None => start = Some(i),
                }
                last = i;
            }
        }
        if let Some(s) = start {
            if last + 1 - s >= min_len {
                out.push((line, s, last + 1));
            }
        }
    }
    out
}

/// Runs on neighbouring lines that overlap are one rule (a rule is a few pixels thick); each
/// becomes a segment through the middle of its thickness.
fn join(mut runs: Vec<(u32, u32, u32)>, horizontal: bool, max_thick: u32) -> Vec<Segment> {
    runs.sort_unstable();
    // (first line, last line, start, end)
    let mut open: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut done: Vec<(u32, u32, u32, u32)> = Vec::new();
    for (line, s, e) in runs {
        let mut hit = None;
        for (k, o) in open.iter().enumerate() {
            if o.1 + 1 >= line && s < o.3 && e > o.2 {
                hit = Some(k);
                break;
            }
        }
        match hit {
            Some(k) => {
                let o = &mut open[k];
                o.1 = line;
                o.2 = o.2.min(s);
                o.3 = o.3.max(e);
            }
            None => open.push((line, line, s, e)),
        }
        // Rules that can no longer grow are finished.
        let (keep, gone): (Vec<_>, Vec<_>) = open.into_iter().partition(|o| o.1 + 1 >= line);
        open = keep;
        done.extend(gone);
    }
    done.extend(open);
    done.into_iter()
        .filter(|o| o.1 - o.0 < max_thick)
        .map(|(a, b, s, e)| {
            let mid = (a + b) as f32 / 2.0;
            if horizontal {
                Segment {
                    x0: s as f32,
                    y0: mid,
                    x1: e as f32,
                    y1: mid,
                }
            } else {
                Segment {
                    x0: mid,
                    y0: s as f32,
                    x1: mid,
                    y1: e as f32,
                }
            }
        })
        .collect()
}

/// The ruling lines of a page scanned at `dpi`.
pub fn find(img: &GrayImage, ink: u8, dpi: f32) -> Vec<Segment> {
    let long = (dpi * 0.3).max(30.0) as u32;
    let short = (dpi * 0.08).max(8.0) as u32;
    let max_thick = (dpi / 25.0).max(4.0) as u32;
    let hs = join(runs(img, ink, true, long, 2), true, max_thick);
    // Verticals bridge one missing pixel only: a wider bridge would join a character's
    // stroke to the rule above it across the cell's padding.
    let vs = join(runs(img, ink, false, short, 1), false, max_thick);
    // A short vertical must run through the rules at both its ends (it starts inside the
    // ink of the rule above and ends inside the rule below); a stroke of text stops short of
    // them by the cell's padding.
    let reach = (dpi / 100.0).max(1.5);
    let through = |x: f32, y: f32, above: bool| {
        hs.iter().any(|h| {
            let inside = if above {
                y <= h.y0 + 0.5 && y >= h.y0 - reach - 1.0
            } else {
                y >= h.y0 - 0.5 && y <= h.y0 + reach + 1.0
            };
            inside && x >= h.x0 - reach && x <= h.x1 + reach
        })
    };
    let vs: Vec<Segment> = vs
        .into_iter()
        .filter(|v| {
            v.y1 - v.y0 >= long as f32 || (through(v.x0, v.y0, true) && through(v.x0, v.y1, false))
        })
        .collect();
    hs.into_iter().chain(vs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_ruled_box_and_ignores_text() {
        // A 2×2 table at 100 dpi with a short "character" inside a cell.
        let mut img = GrayImage::from_pixel(400, 300, image::Luma([250]));
        for x in 50..350 {
            for y in [50u32, 51, 100, 150, 151] {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        for y in 50..152 {
            for x in [50u32, 200, 349] {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        for y in 60..80 {
            img.put_pixel(80, y, image::Luma([0]));
        }
        let segs = find(&img, 128, 100.0);
        let hs: Vec<_> = segs.iter().filter(|s| s.is_horizontal()).collect();
        let vs: Vec<_> = segs.iter().filter(|s| !s.is_horizontal()).collect();
        assert_eq!(hs.len(), 3, "{segs:?}");
        assert_eq!(vs.len(), 3, "{segs:?}");
        assert!((hs[0].y0 - 50.5).abs() < 0.01 && hs[0].x0 == 50.0 && hs[0].x1 == 350.0);
        assert!(vs.iter().all(|v| v.y0 == 50.0 && v.y1 == 152.0));
    }
}
