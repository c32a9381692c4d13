//! Ruled tables: the ruling lines of a page are grouped into connected grids; the grid's
//! distinct x and y positions cut it into elementary cells, and elementary cells not separated
//! by a drawn line are merged (spanned cells such as the vertical 三、本年度办理结果).

use crate::interp::Rule;

/// Two positions closer than this are the same grid line (points).
const SNAP: f32 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub r0: usize,
    pub c0: usize,
    pub r1: usize,
    pub c1: usize,
}

#[derive(Debug)]
pub struct Grid {
    pub xs: Vec<f32>,
    pub ys: Vec<f32>,
    /// Index into `cells` of every elementary cell, row-major.
    cell_of: Vec<usize>,
    pub cells: Vec<Span>,
}

impl Grid {
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.xs[0] - 1.0
            && x <= self.xs[self.xs.len() - 1] + 1.0
            && y >= self.ys[0] - 1.0
            && y <= self.ys[self.ys.len() - 1] + 1.0
    }

    /// The merged cell holding a point inside the grid.
    pub fn cell_at(&self, x: f32, y: f32) -> usize {
        let c = band(&self.xs, x);
        let r = band(&self.ys, y);
        self.cell_of[r * (self.xs.len() - 1) + c]
    }

    pub fn top(&self) -> f32 {
        self.ys[0]
    }
}

fn band(edges: &[f32], v: f32) -> usize {
    let i = edges.partition_point(|e| *e <= v);
    i.saturating_sub(1).min(edges.len() - 2)
}

/// Clusters positions closer than `SNAP`, returning the cluster means, ascending.
fn snap(mut vals: Vec<f32>) -> Vec<f32> {
    vals.sort_by(f32::total_cmp);
    let mut out: Vec<(f32, usize)> = Vec::new();
    for v in vals {
        match out.last_mut() {
            Some((sum, n)) if v - *sum / *n as f32 <= SNAP => {
                *sum += v;
                *n += 1;
            }
            _ => out.push((v, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f32).collect()
}

/// Merges collinear overlapping segments so a border drawn in pieces is one rule.
fn merge(mut rules: Vec<Rule>, horizontal: bool) -> Vec<Rule> {
    // (position across, start along, end along)
    let key = |r: &Rule| {
        if horizontal {
            (r.y0, r.x0, r.x1)
        } else {
            (r.x0, r.y0, r.y1)
        }
    };
    rules.sort_by(|a, b| key(a).0.total_cmp(&key(b).0));
    let mut out: Vec<Rule> = Vec::new();
    let mut i = 0;
    while i < rules.len() {
        // Rules at (almost) the same position, then merged along their length.
        let mut j = i + 1;
        while j < rules.len() && key(&rules[j]).0 - key(&rules[j - 1]).0 <= 1.0 {
            j += 1;
        }
        let group = &mut rules[i..j];
        group.sort_by(|a, b| key(a).1.total_cmp(&key(b).1));
        let start = out.len();
        for r in group.iter() {
            let (_, lo, hi) = key(r);
            if out.len() > start {
                let last = out.last_mut().unwrap();
                let (_, _, lhi) = key(last);
                if lo <= lhi + SNAP {
                    if horizontal {
                        last.x1 = last.x1.max(hi);
                    } else {
                        last.y1 = last.y1.max(hi);
                    }
                    continue;
                }
            }
            out.push(*r);
        }
        i = j;
    }
    out
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find_root(parent, a), find_root(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// Finds the ruled tables of a page.
pub fn find(rules: &[Rule]) -> Vec<Grid> {
    let hs = merge(
        rules
            .iter()
            .filter(|r| r.is_horizontal())
            .copied()
            .collect(),
        true,
    );
    let vs = merge(
        rules
            .iter()
            .filter(|r| !r.is_horizontal())
            .copied()
            .collect(),
        false,
    );
    if hs.len() < 2 || vs.len() < 2 || hs.len() * vs.len() > 4_000_000 {
        return Vec::new();
    }
    // Connected components of crossing or touching rules.
    let all: Vec<Rule> = hs.iter().chain(vs.iter()).copied().collect();
    let mut parent: Vec<usize> = (0..all.len()).collect();
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            let touch = v.x0 >= h.x0 - SNAP
                && v.x0 <= h.x1 + SNAP
                && h.y0 >= v.y0 - SNAP
                && h.y0 <= v.y1 + SNAP;
            if touch {
                union(&mut parent, i, hs.len() + j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rule>> = Default::default();
    for (i, rule) in all.iter().enumerate() {
        let root = find_root(&mut parent, i);
        groups.entry(root).or_default().push(*rule);
    }
    groups.into_values().filter_map(|g| grid_of(&g)).collect()
}

fn grid_of(rules: &[Rule]) -> Option<Grid> {
    let (hs, vs): (Vec<Rule>, Vec<Rule>) = rules.iter().partition(|r| r.is_horizontal());
    let mut xs = snap(vs.iter().map(|r| r.x0).collect());
    let mut ys = snap(hs.iter().map(|r| r.y0).collect());
    if xs.is_empty() || ys.is_empty() {
        return None;
    }
    // Open edges: a table cut by a page break has verticals running past its last horizontal
    // (the rows below are still cells); a table without side borders has horizontals running
    // past its outer verticals.
    let v_bottom = vs.iter().map(|r| r.y1).fold(f32::MIN, f32::max);
    let v_top = vs.iter().map(|r| r.y0).fold(f32::MAX, f32::min);
    let h_right = hs.iter().map(|r| r.x1).fold(f32::MIN, f32::max);
    let h_left = hs.iter().map(|r| r.x0).fold(f32::MAX, f32::min);
    if v_bottom > ys[ys.len() - 1] + 5.0 {
        ys.push(v_bottom);
    }
    if v_top < ys[0] - 5.0 {
        ys.insert(0, v_top);
    }
    if h_right > xs[xs.len() - 1] + 5.0 {
        xs.push(h_right);
    }
    if h_left < xs[0] - 5.0 {
        xs.insert(0, h_left);
    }
    // A lone box (a frame around the page or a note) is not a table.
    if xs.len() < 3
        || ys.len() < 2
        || xs[xs.len() - 1] - xs[0] < 20.0
        || ys[ys.len() - 1] - ys[0] < 8.0
    {
        return None;
    }
    let (nr, nc) = (ys.len() - 1, xs.len() - 1);
    let vertical_at = |ci: usize, r: usize| {
        let mid = (ys[r] + ys[r + 1]) / 2.0;
        vs.iter()
            .any(|v| (v.x0 - xs[ci]).abs() <= SNAP && v.y0 <= mid && v.y1 >= mid)
    };
    let horizontal_at = |ri: usize, c: usize| {
        let mid = (xs[c] + xs[c + 1]) / 2.0;
        hs.iter()
            .any(|h| (h.y0 - ys[ri]).abs() <= SNAP && h.x0 <= mid && h.x1 >= mid)
    };
    let mut parent: Vec<usize> = (0..nr * nc).collect();
    for r in 0..nr {
        for c in 0..nc {
            if c + 1 < nc && !vertical_at(c + 1, r) {
                union(&mut parent, r * nc + c, r * nc + c + 1);
            }
            if r + 1 < nr && !horizontal_at(r + 1, c) {
                union(&mut parent, r * nc + c, (r + 1) * nc + c);
            }
        }
    }
    let mut cell_of = vec![usize::MAX; nr * nc];
    let mut cells: Vec<Span> = Vec::new();
    let mut index_of_root = std::collections::HashMap::new();
    for r in 0..nr {
        for c in 0..nc {
            let root = find_root(&mut parent, r * nc + c);
            let id = *index_of_root.entry(root).or_insert_with(|| {
                cells.push(Span {
                    r0: r,
                    c0: c,
                    r1: r,
                    c1: c,
                });
                cells.len() - 1
            });
            let s = &mut cells[id];
            s.r1 = s.r1.max(r);
            s.c0 = s.c0.min(c);
            s.c1 = s.c1.max(c);
            cell_of[r * nc + c] = id;
        }
    }
    Some(Grid {
        xs,
        ys,
        cell_of,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(y: f32, x0: f32, x1: f32) -> Rule {
        Rule {
            x0,
            y0: y,
            x1,
            y1: y,
        }
    }
    fn v(x: f32, y0: f32, y1: f32) -> Rule {
        Rule {
            x0: x,
            y0,
            x1: x,
            y1,
        }
    }

    #[test]
    fn spanned_first_column() {
        // Three rows; the first column is one cell spanning all of them.
        let rules = vec![
            h(0.0, 0.0, 90.0),
            h(10.0, 30.0, 90.0),
            h(20.0, 30.0, 90.0),
            h(30.0, 0.0, 90.0),
            v(0.0, 0.0, 30.0),
            v(30.0, 0.0, 30.0),
            v(60.0, 0.0, 30.0),
            v(90.0, 0.0, 30.0),
        ];
        let grids = find(&rules);
        assert_eq!(grids.len(), 1);
        let g = &grids[0];
        assert_eq!(g.cells.len(), 7);
        assert_eq!(
            g.cells[g.cell_at(5.0, 25.0)],
            Span {
                r0: 0,
                c0: 0,
                r1: 2,
                c1: 0
            }
        );
        assert_eq!(
            g.cells[g.cell_at(70.0, 15.0)],
            Span {
                r0: 1,
                c0: 2,
                r1: 1,
                c1: 2
            }
        );
    }
}
