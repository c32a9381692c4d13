//! Before reading: the ink threshold of a page (Otsu) and its skew, measured on the rows of
//! ink (the angle at which the page's horizontal projection is sharpest) and undone.
use image::GrayImage;

/// Otsu's threshold: pixels darker than it are ink.
pub fn threshold(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, n)| i as f64 * *n as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0u64, 0f64, -1f64, 128u8);
    for (t, n) in hist.iter().enumerate() {
        w_b += n;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * *n as f64;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum_all - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    // Ink is the pixels at or below the dark class's upper edge.
    best_t.saturating_add(1)
}

/// Largest skew looked for, in degrees (scanners rarely exceed it; beyond it the page is
/// read as it is).
const MAX_SKEW: f32 = 3.0;

/// The page's skew in degrees: positive when its lines fall to the right.
pub fn skew(img: &GrayImage, ink: u8) -> f32 {
    // Ink pixels of a reduced page (every `step`-th pixel) are enough for the angle.
    let step = (img.width() / 800).max(1);
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in (0..img.height()).step_by(step as usize) {
        for x in (0..img.width()).step_by(step as usize) {
            if img.get_pixel(x, y).0[0] < ink {
                pts.push(((x / step) as f32, (y / step) as f32));
            }
        }
    }
    if pts.len() < 100 {
        return 0.0;
    }
    let rows = (img.height() / step) as usize + 1;
    let cx = (img.width() / step) as f32 / 2.0;
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        let mut hist = vec![0u32; rows * 2];
        for &(x, y) in &pts {
            let r = (y - (x - cx) * t).round() as isize + rows as isize / 2;
            if r >= 0 && (r as usize) < hist.len() {
                hist[r as usize] += 1;
            }
        }
        hist.iter().map(|&n| (n as f64) * (n as f64)).sum()
    };
    let best_of = |from: f32, to: f32, by: f32| {
        let mut best = (f64::MIN, 0.0f32);
        let mut a = from;
        while a <= to + 1e-4 {
            let s = score(a);
            if s > best.0 {
                best = (s, a);
            }
            a += by;
        }
        best.1
    };
    let coarse = best_of(-MAX_SKEW, MAX_SKEW, 0.2);
    let fine = best_of(coarse - 0.2, coarse + 0.2, 0.02);
    // A page with little on it has no clear angle: unless turning sharpens its rows
    // markedly, it is left as scanned.
    if score(fine) < score(0.0) * 1.1 {
        0.0
    } else {
        fine
    }
}

/// The page turned by `-deg` about its centre (bilinear; outside is white).
pub fn rotate(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = img.as_raw();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            255.0
        } else {
            src[y as usize * w as usize + x as usize] as f32
        }
    };
    let mut out = vec![255u8; w as usize * h as usize];
    for yo in 0..h {
        let dy = yo as f32 - cy;
        for xo in 0..w {
            let dx = xo as f32 - cx;
            let xs = cx + dx * c - dy * s;
            let ys = cy + dx * s + dy * c;
            let (x0, y0) = (xs.floor(), ys.floor());
            let (fx, fy) = (xs - x0, ys - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let v = at(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + at(x0 + 1, y0) * fx * (1.0 - fy)
                + at(x0, y0 + 1) * (1.0 - fx) * fy
                + at(x0 + 1, y0 + 1) * fx * fy;
            out[yo as usize * w as usize + xo as usize] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("same dimensions")
}

/// A page ready to read: straightened, with its ink threshold.
pub struct Prepared {
    pub img: GrayImage,
    pub ink: u8,
    /// The skew that was undone, in degrees.
    pub skew: f32,
}

pub fn prepare(img: GrayImage) -> Prepared {
    let ink = threshold(&img);
    // Under a tenth of a degree (two pixels across a page at 200 dpi) turning would only blur.
    let skew = Some(skew(&img, ink))
        .filter(|s| s.abs() >= 0.1)
        .unwrap_or(0.0);
    let img = if skew != 0.0 { rotate(&img, skew) } else { img };
    let ink = threshold(&img);
    Prepared { img, ink, skew }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of horizontal bars drawn at a known slope.
    fn slanted(deg: f32) -> GrayImage {
        let (w, h) = (800u32, 600u32);
        let t = deg.to_radians().tan();
        GrayImage::from_fn(w, h, |x, y| {
            let yy = y as f32 - (x as f32 - w as f32 / 2.0) * t;
            let on_bar = (50..550).contains(&(yy as i32)) && (yy as i32 % 40) < 2;
            image::Luma([if on_bar && (100..700).contains(&x) {
                0
            } else {
                240
            }])
        })
    }

    #[test]
    fn measures_and_undoes_skew() {
        for deg in [-1.5f32, 0.0, 0.7, 2.0] {
            let img = slanted(deg);
            let ink = threshold(&img);
            assert!((1..=240).contains(&ink), "threshold {ink}");
            let got = skew(&img, ink);
            assert!((got - deg).abs() <= 0.1, "skew {deg}: measured {got}");
            let straight = rotate(&img, got);
            let after = skew(&straight, threshold(&straight));
            assert!(
                after.abs() <= 0.15,
                "skew {deg}: {after} left after turning"
            );
        }
    }
}
