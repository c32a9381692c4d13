//! Report metadata: title, agency, year reported on, publication date, template version.
use crate::keys::Version;
use crate::text::Keywords;
use crate::title;

/// Four-digit years followed by 年 (spaces already removed), with their byte positions.
pub(crate) fn years(key: &str) -> Vec<(usize, i32)> {
    let b = key.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= b.len() {
        let is_year = b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && key[i + 4..].starts_with('年');
        if is_year {
            let y: i32 = key[i..i + 4].parse().unwrap_or(0);
            if (2000..=2100).contains(&y) {
                out.push((i, y));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

/// A date `2021年1月13日` or `2021-02-04` / `2021.2.4` / `2021/2/4` inside `key`, as ISO.
fn find_date(key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    for i in 0..chars.len() {
        if i > 0 && chars[i - 1].is_ascii_digit() {
            continue;
        }
        let num = |from: usize, max: usize| -> Option<(u32, usize)> {
            let mut j = from;
            while j < chars.len() && j - from < max && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j == from {
                return None;
            }
            let s: String = chars[from..j].iter().collect();
            Some((s.parse().ok()?, j))
        };
        let Some((y, j)) = num(i, 4) else { continue };
        if j - i != 4 || !(2000..=2100).contains(&y) || j >= chars.len() {
            continue;
        }
        let sep = chars[j];
        if !matches!(sep, '年' | '-' | '.' | '/') {
            continue;
        }
        let Some((m, k)) = num(j + 1, 2) else {
            continue;
        };
        if k >= chars.len() {
            continue;
        }
        let sep2 = chars[k];
        let ok_sep = if sep == '年' {
            sep2 == '月'
        } else {
            sep2 == sep
        };
        if !ok_sep {
            continue;
        }
        let Some((d, l)) = num(k + 1, 2) else {
            continue;
        };
        if sep == '年' && chars.get(l) != Some(&'日') {
            continue;
        }
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

const AGENCY_ENDINGS: &[&str] = &[
    "人民政府",
    "政府",
    "办公室",
    "局",
    "委员会",
    "管委会",
    "委",
    "镇",
    "乡",
    "街道",
    "办事处",
    "中心",
    "厅",
    "部",
    "院",
    "所",
    "站",
    "队",
];

pub(crate) fn looks_like_agency(s: &str) -> bool {
    let n = s.chars().count();
    (2..=30).contains(&n) && AGENCY_ENDINGS.iter().any(|e| s.ends_with(e))
}

#[derive(Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub published: Option<String>,
}

/// Reads the metadata from the rows' label keys ([`crate::rows::label_keys`]).
pub fn read(keys: &[String]) -> Meta {
    let mut m = Meta::default();

    // Title: one of the first lines, naming the report; an agency line just above joins it,
    // and so does a short tail the page wrapped onto the next line (…工作年度 / 报告).
    let head = keys.len().min(8);
    let is_title = |k: &str| {
        k.contains("报告")
            && k.contains("公开")
            && k.chars().count() <= 60
            && !k.starts_with("根据")
            && !k.starts_with("本报告")
    };
    let found = (0..head).find_map(|i| {
        let key = title::clean(&keys[i]);
        if title::is_furniture(&keys[i]) {
            return None;
        }
        if is_title(key) {
            return Some((i, key.to_string()));
        }
        let next = title::clean(keys.get(i + 1)?);
        let joined = format!("{key}{next}");
        (key.contains("公开") && next.chars().count() <= 8 && is_title(&joined))
            .then_some((i, joined))
    });
    if let Some((t, mut title)) = found {
        if t > 0
            && looks_like_agency(&keys[t - 1])
            && years(&title).first().is_some_and(|&(p, _)| p == 0)
        {
            title = format!("{}{}", keys[t - 1], title);
        }
        if let Some(&(p, y)) = years(&title).first() {
            m.year = Some(y);
            m.agency = title::agency(&title, p);
        }
        m.title = Some(title);
    }

    // 本报告由XX办公室根据…编制: names the agency when the title does not.
    if m.agency.is_none() {
        for k in keys.iter().take(40) {
            if let Some(p) = k.find("本报告由") {
                let rest = &k[p + "本报告由".len()..];
                let end = ["根据", "依据", "编制", "按照"]
                    .iter()
                    .filter_map(|w| rest.find(w))
                    .min();
                if let Some(e) = end {
                    if looks_like_agency(&rest[..e]) {
                        m.agency = Some(rest[..e].to_string());
                        break;
                    }
                }
            }
        }
    }

    // The form's preamble: 本报告…汇总XX(各有关单位)政府信息公开工作情况编制而成.
    if m.agency.is_none() {
        m.agency = keys.iter().take(40).find_map(|k| preamble_agency(k));
    }

    // The signature at the end: agency and date.
    let tail = keys.len().saturating_sub(8);
    for k in keys[tail..].iter().rev() {
        if let Some(d) = find_date(k) {
            if m.published.is_none() && k.chars().count() <= 40 {
                m.published = Some(d);
                let before = k.split(|c: char| c.is_ascii_digit()).next().unwrap_or("");
                if m.agency.is_none() && looks_like_agency(before) {
                    m.agency = Some(before.to_string());
                }
            }
        } else if m.agency.is_none() && looks_like_agency(k) && rows_short(k) {
            m.agency = Some(k.clone());
        }
    }
    // A web page's 发布时间 near the top.
    if m.published.is_none() {
        for k in keys.iter().take(12) {
            if k.contains("发布时间") || k.contains("发布日期") {
                m.published = find_date(k);
                break;
            }
        }
    }

    // Year from the statistics period, then from the first year in the text.
    if m.year.is_none() {
        for k in keys.iter().take(60) {
            if let Some(p) = k.find("1月1日") {
                if let Some(&(_, y)) = years(&k[..p + 1]).last() {
                    m.year = Some(y);
                    break;
                }
            }
        }
    }
    if m.year.is_none() {
        m.year = keys
            .iter()
            .take(30)
            .find_map(|k| years(k).first().map(|&(_, y)| y));
    }
    m
}

/// The agency the form's standard preamble names: `本报告…汇总<agency>(各有关单位)政府信息公开
/// 工作情况编制而成`, when what stands there has an agency's or a place's ending.
fn preamble_agency(k: &str) -> Option<String> {
    let start = k.find("本报告")?;
    let rest = &k[start..];
    let after = &rest[rest.find("汇总")? + "汇总".len()..];
    let end = after.find("政府信息公开工作")?;
    if !after[end..].contains("编制") {
        return None;
    }
    let mut name = &after[..end];
    for tail in [
        "所属各单位",
        "各有关单位",
        "各有关部门",
        "有关单位",
        "各单位",
        "各部门",
        "及",
        "的",
    ] {
        name = name.strip_suffix(tail).unwrap_or(name);
    }
    // The preamble's context is strong enough for a place's name (平潭综合实验区, 某某县), which
    // alone is no agency ending.
    let place = ["区", "县", "市", "省", "州", "旗"]
        .iter()
        .any(|e| name.ends_with(e))
        && (2..=30).contains(&name.chars().count());
    (looks_like_agency(name) || place).then(|| name.to_string())
}

fn rows_short(k: &str) -> bool {
    k.chars().count() <= 20
}

/// Which template the tables follow, from the column and row labels only the one version has.
pub fn detect_version(keys: &[String], year: Option<i32>) -> Version {
    /// Words only the 2021 form has (the first seven), then words only the 2019 form has.
    const V2021_WORDS: usize = 7;
    static WORDS: std::sync::LazyLock<Keywords> = std::sync::LazyLock::new(|| {
        Keywords::new(vec![
            "本年制发件数",
            "本年废止件数",
            "现行有效件数",
            "本年收费金额",
            "逾期不补正",
            "缴纳费用",
            "行政规范性文件",
            "新制作数量",
            "新公开数量",
            "对外公开总数量",
            "上一年项目数量",
            "采购项目数量",
            "采购总金额",
            "其他对外管理服务事项",
        ])
    });
    let mut v2019 = 0;
    let mut v2021 = 0;
    for k in keys {
        let found = WORDS.found_in(k);
        v2021 += (found & ((1 << V2021_WORDS) - 1)).count_ones();
        v2019 += (found >> V2021_WORDS).count_ones();
    }
    match v2019.cmp(&v2021) {
        std::cmp::Ordering::Greater => Version::V2019,
        std::cmp::Ordering::Less => Version::V2021,
        std::cmp::Ordering::Equal => {
            if year.is_some_and(|y| y >= 2021) {
                Version::V2021
            } else {
                Version::V2019
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_of_the_preamble() {
        let p = |s: &str| preamble_agency(s);
        assert_eq!(
            p("本报告根据《条例》等文件要求，汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。"),
            Some("平潭综合实验区".into())
        );
        assert_eq!(
            p("本报告由区政务公开办根据要求，汇总某某县人民政府政府信息公开工作情况编制。"),
            Some("某某县人民政府".into())
        );
        // Not the preamble's shape, or not an agency's name: nothing.
        assert_eq!(p("汇总平潭综合实验区政府信息公开工作情况编制而成"), None);
        assert_eq!(p("本报告汇总全年政府信息公开工作情况编制而成"), None);
        assert_eq!(p("本报告汇总平潭综合实验区政府信息公开工作情况。"), None);
    }

    #[test]
    fn dates_and_years() {
        assert_eq!(
            find_date("花园镇党委政府办公室2021年1月13日"),
            Some("2021-01-13".into())
        );
        assert_eq!(
            find_date("发布时间:2021-02-04 14:33"),
            Some("2021-02-04".into())
        );
        assert_eq!(find_date("共2021件"), None);
        assert_eq!(
            years("固镇县王庄镇人民政府2020年政府信息公开"),
            vec![(30, 2020)]
        );
    }
}
