//! The fixture reports, written by hand: every number below was chosen by a person so that the
//! form's own checks hold (balance, row totals, outcome totals, appeals totals; checked by
//! `validate` before anything is written). Blank cells (`B`) are cells the report leaves empty:
//! expected null.
//!
//! Applicant columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
//! Appeals: 行政复议, 未经复议直接起诉, 复议后起诉; each 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.

/// A blank cell.
pub const B: i64 = i64::MIN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2019,
    V2021,
}

impl Version {
    pub fn name(self) -> &'static str {
        match self {
            Version::V2019 => "2019",
            Version::V2021 => "2021",
        }
    }
}

/// A value of 表二: a count, money as written (万元), or blank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum V {
    N(i64),
    M(&'static str),
    B,
}

pub struct Report {
    pub stem: &'static str,
    pub agency: &'static str,
    /// What the expected file's `agency_contains` asks for.
    pub agency_short: &'static str,
    pub year: i32,
    pub version: Version,
    /// Signature date as printed.
    pub date: &'static str,
    pub active: Vec<(&'static str, V)>,
    pub apps: Vec<(&'static str, [i64; 7])>,
    pub appeals: [i64; 15],
    pub overview: Vec<&'static str>,
    pub problems: Vec<&'static str>,
    pub other: Vec<&'static str>,
}

impl Report {
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告", self.agency, self.year)
    }
    pub fn active(&self, key: &str) -> V {
        self.active
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{}: no active.{key}", self.stem))
    }
    pub fn apps(&self, key: &str) -> [i64; 7] {
        self.apps
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{}: no applications.{key}", self.stem))
    }
}

use V::{M, N};

pub fn reports() -> Vec<Report> {
    vec![
        donghu_2021(),
        qingshan_2020(),
        baihe_2022(),
        shuiting_2019(),
    ]
}

/// A district report on the 2021 template (Word layout). Rows 3.危及“三安全一稳定” and
/// 4.无正当理由大量反复申请 and the fee amount are left blank.
fn donghu_2021() -> Report {
    Report {
        stem: "donghu-2021",
        agency: "临江市东湖区人民政府",
        agency_short: "东湖区",
        year: 2021,
        version: Version::V2021,
        date: "2022年1月25日",
        active: vec![
            ("rules.issued", N(0)),
            ("rules.repealed", N(0)),
            ("rules.in_force", N(0)),
            ("normative.issued", N(8)),
            ("normative.repealed", N(3)),
            ("normative.in_force", N(46)),
            ("licensing.decisions", N(12436)),
            ("penalty.decisions", N(2317)),
            ("coercion.decisions", N(96)),
            ("fees.amount_wan", V::B),
        ],
        apps: vec![
            ("new", [186, 23, 2, 1, 5, 4, 221]),
            ("carried_over", [12, 3, 0, 0, 1, 0, 16]),
            ("granted", [98, 12, 1, 0, 2, 1, 114]),
            ("partial", [17, 3, 0, 1, 1, 0, 22]),
            ("denied.state_secret", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.law_prohibited", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.three_safety", [B, B, B, B, B, B, B]),
            ("denied.third_party", [3, 2, 0, 0, 1, 0, 6]),
            ("denied.internal_affairs", [2, 0, 0, 0, 0, 0, 2]),
            ("denied.process_info", [4, 1, 0, 0, 0, 0, 5]),
            ("denied.enforcement_file", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.admin_query", [5, 0, 0, 0, 0, 0, 5]),
            ("unable.not_held", [31, 4, 1, 0, 1, 1, 38]),
            ("unable.needs_creation", [6, 1, 0, 0, 0, 0, 7]),
            ("unable.unclear", [3, 0, 0, 0, 0, 0, 3]),
            ("rejected.petition", [7, 0, 0, 0, 0, 0, 7]),
            ("rejected.duplicate", [4, 1, 0, 0, 1, 0, 6]),
            ("rejected.publication", [1, 0, 0, 0, 0, 0, 1]),
            ("rejected.excessive", [B, B, B, B, B, B, B]),
            ("rejected.confirmation", [2, 0, 0, 0, 0, 0, 2]),
            ("other.no_correction", [2, 0, 0, 0, 0, 0, 2]),
            ("other.unpaid_fee", [0, 0, 0, 0, 0, 0, 0]),
            ("other.misc", [2, 0, 0, 0, 0, 1, 3]),
            ("total", [189, 24, 2, 1, 6, 3, 225]),
            ("carry_forward", [9, 2, 0, 0, 0, 1, 12]),
        ],
        appeals: [5, 1, 0, 2, 8, 3, 0, 1, 1, 5, 1, 0, 0, 1, 2],
        overview: vec![
            "2021年，东湖区人民政府坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息3526条，其中政策文件182条、政策解读64条。",
            "（一）主动公开。区政府门户网站全年发布信息3526条，政务新媒体发布信息1870条，召开新闻发布会12场。",
            "（二）依申请公开。全年新收政府信息公开申请221件，上年结转16件，办结225件，结转下年度12件。",
        ],
        problems: vec![
            "2021年我区政府信息公开工作取得一定成效，但仍存在部分单位政策解读形式单一、依申请公开答复规范性有待提高等问题。",
            "2022年，我区将加强业务培训，推行答复文书范本，提升政府信息公开工作质量。",
        ],
        other: vec![
            "本年度未收取信息处理费。",
            "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。",
        ],
    }
}

/// A district report on the 2019 template, for 2020 (WPS Office layout, 表三 split across a
/// page). The 科研机构 and 社会公益组织 cells of the eight （三）不予公开 rows are blank.
fn qingshan_2020() -> Report {
    Report {
        stem: "qingshan-2020",
        agency: "临江市青山区人民政府",
        agency_short: "青山区",
        year: 2020,
        version: Version::V2019,
        date: "2021年1月28日",
        active: vec![
            ("rules.made", N(0)),
            ("rules.published", N(0)),
            ("rules.total", N(0)),
            ("normative.made", N(5)),
            ("normative.published", N(5)),
            ("normative.total", N(37)),
            ("licensing.prev_items", N(412)),
            ("licensing.change", N(-9)),
            ("licensing.decisions", N(8865)),
            ("other_services.prev_items", N(96)),
            ("other_services.change", N(4)),
            ("other_services.decisions", N(1520)),
            ("penalty.prev_items", N(1288)),
            ("penalty.change", N(17)),
            ("penalty.decisions", N(1934)),
            ("coercion.prev_items", N(61)),
            ("coercion.change", N(0)),
            ("coercion.decisions", N(45)),
            ("fees.prev_items", N(23)),
            ("fees.change", N(-2)),
            ("procurement.items", N(37)),
            ("procurement.amount_wan", M("2316.85")),
        ],
        apps: vec![
            ("new", [97, 11, 1, 0, 3, 2, 114]),
            ("carried_over", [4, 1, 0, 0, 0, 0, 5]),
            ("granted", [51, 6, 1, 0, 1, 0, 59]),
            ("partial", [9, 2, 0, 0, 0, 1, 12]),
            ("denied.state_secret", [0, 0, B, B, 0, 0, 0]),
            ("denied.law_prohibited", [0, 0, B, B, 0, 0, 0]),
            ("denied.three_safety", [1, 0, B, B, 0, 0, 1]),
            ("denied.third_party", [2, 1, B, B, 0, 0, 3]),
            ("denied.internal_affairs", [1, 0, B, B, 0, 0, 1]),
            ("denied.process_info", [3, 0, B, B, 0, 0, 3]),
            ("denied.enforcement_file", [0, 0, B, B, 0, 0, 0]),
            ("denied.admin_query", [2, 0, B, B, 0, 0, 2]),
            ("unable.not_held", [14, 2, 0, 0, 1, 0, 17]),
            ("unable.needs_creation", [3, 0, 0, 0, 0, 0, 3]),
            ("unable.unclear", [1, 0, 0, 0, 0, 1, 2]),
            ("rejected.petition", [3, 0, 0, 0, 0, 0, 3]),
            ("rejected.duplicate", [2, 1, 0, 0, 0, 0, 3]),
            ("rejected.publication", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.excessive", [1, 0, 0, 0, 0, 0, 1]),
            ("rejected.confirmation", [1, 0, 0, 0, 0, 0, 1]),
            ("other.combined", [1, 0, 0, 0, 0, 0, 1]),
            ("total", [95, 12, 1, 0, 2, 2, 112]),
            ("carry_forward", [6, 0, 0, 0, 1, 0, 7]),
        ],
        appeals: [2, 1, 0, 0, 3, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0],
        overview: vec![
            "2020年，青山区人民政府严格落实《中华人民共和国政府信息公开条例》，围绕疫情防控、“六稳”“六保”等重点工作，主动公开政府信息2814条。",
            "全年共受理政府信息公开申请114件，均在法定期限内答复。",
        ],
        problems: vec!["政务公开工作人员专业能力参差不齐，个别部门信息更新不够及时。下一步将建立常态化培训和督查机制。"],
        other: vec!["无其他需要报告的事项。"],
    }
}

/// A county report on the 2021 template, for 2022, kept in a workbook with one sheet per
/// section. The 科研机构 cells of the five （五）不予处理 rows are blank.
fn baihe_2022() -> Report {
    Report {
        stem: "baihe-2022",
        agency: "临江市白河县人民政府",
        agency_short: "白河县",
        year: 2022,
        version: Version::V2021,
        date: "2023年1月18日",
        active: vec![
            ("rules.issued", N(0)),
            ("rules.repealed", N(0)),
            ("rules.in_force", N(0)),
            ("normative.issued", N(3)),
            ("normative.repealed", N(1)),
            ("normative.in_force", N(19)),
            ("licensing.decisions", N(3571)),
            ("penalty.decisions", N(842)),
            ("coercion.decisions", N(0)),
            ("fees.amount_wan", M("12.0468")),
        ],
        apps: vec![
            ("new", [42, 6, 0, 1, 2, 1, 52]),
            ("carried_over", [3, 0, 0, 0, 0, 0, 3]),
            ("granted", [20, 3, 0, 0, 1, 0, 24]),
            ("partial", [5, 1, 0, 0, 1, 0, 7]),
            ("denied.state_secret", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.law_prohibited", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.three_safety", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.third_party", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.internal_affairs", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.process_info", [2, 0, 0, 0, 0, 0, 2]),
            ("denied.enforcement_file", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.admin_query", [1, 0, 0, 0, 0, 0, 1]),
            ("unable.not_held", [8, 1, 0, 1, 0, 0, 10]),
            ("unable.needs_creation", [2, 0, 0, 0, 0, 0, 2]),
            ("unable.unclear", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.petition", [1, 0, B, 0, 0, 0, 1]),
            ("rejected.duplicate", [1, 0, B, 0, 0, 1, 2]),
            ("rejected.publication", [0, 0, B, 0, 0, 0, 0]),
            ("rejected.excessive", [0, 0, B, 0, 0, 0, 0]),
            ("rejected.confirmation", [0, 0, B, 0, 0, 0, 0]),
            ("other.no_correction", [1, 0, 0, 0, 0, 0, 1]),
            ("other.unpaid_fee", [0, 0, 0, 0, 0, 0, 0]),
            ("other.misc", [0, 0, 0, 0, 0, 0, 0]),
            ("total", [43, 5, 0, 1, 2, 1, 52]),
            ("carry_forward", [2, 1, 0, 0, 0, 0, 3]),
        ],
        appeals: [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0],
        overview: vec![
            "2022年，白河县人民政府以群众需求为导向，深化政务公开标准化规范化建设，全年主动公开政府信息4105条。",
        ],
        problems: vec!["部分乡镇政务公开专栏内容更新不及时。2023年将开展专项检查，督促整改。"],
        other: vec!["本年度收取信息处理费0元。"],
    }
}

/// A township report on the 2019 template, for 2019, with every table on one sheet. Totals
/// are formulas with cached values, except 行政复议 总计, whose writer left no cached value:
/// the document does not show that number (expected null). 表二's numbers are stored as text.
fn shuiting_2019() -> Report {
    Report {
        stem: "shuiting-2019",
        agency: "临江市白河县水亭镇人民政府",
        agency_short: "水亭镇",
        year: 2019,
        version: Version::V2019,
        date: "2020年1月15日",
        active: vec![
            ("rules.made", N(0)),
            ("rules.published", N(0)),
            ("rules.total", N(0)),
            ("normative.made", N(2)),
            ("normative.published", N(2)),
            ("normative.total", N(11)),
            ("licensing.prev_items", N(15)),
            ("licensing.change", N(2)),
            ("licensing.decisions", N(138)),
            ("other_services.prev_items", N(42)),
            ("other_services.change", N(-3)),
            ("other_services.decisions", N(960)),
            ("penalty.prev_items", N(8)),
            ("penalty.change", N(0)),
            ("penalty.decisions", N(27)),
            ("coercion.prev_items", N(2)),
            ("coercion.change", N(0)),
            ("coercion.decisions", N(3)),
            ("fees.prev_items", N(1)),
            ("fees.change", N(0)),
            ("procurement.items", N(6)),
            ("procurement.amount_wan", M("84.3")),
        ],
        apps: vec![
            ("new", [13, 2, 0, 0, 1, 0, 16]),
            ("carried_over", [1, 0, 0, 0, 0, 0, 1]),
            ("granted", [8, 1, 0, 0, 1, 0, 10]),
            ("partial", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.state_secret", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.law_prohibited", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.three_safety", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.third_party", [1, 0, 0, 0, 0, 0, 1]),
            ("denied.internal_affairs", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.process_info", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.enforcement_file", [0, 0, 0, 0, 0, 0, 0]),
            ("denied.admin_query", [0, 0, 0, 0, 0, 0, 0]),
            ("unable.not_held", [3, 1, 0, 0, 0, 0, 4]),
            ("unable.needs_creation", [0, 0, 0, 0, 0, 0, 0]),
            ("unable.unclear", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.petition", [1, 0, 0, 0, 0, 0, 1]),
            ("rejected.duplicate", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.publication", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.excessive", [0, 0, 0, 0, 0, 0, 0]),
            ("rejected.confirmation", [0, 0, 0, 0, 0, 0, 0]),
            ("other.combined", [0, 0, 0, 0, 0, 0, 0]),
            ("total", [14, 2, 0, 0, 1, 0, 17]),
            ("carry_forward", [0, 0, 0, 0, 0, 0, 0]),
        ],
        // 行政复议 总计 (index 4) has no cached value in the file.
        appeals: [1, 0, 0, 0, B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        overview: vec!["2019年，水亭镇认真贯彻新修订的《中华人民共和国政府信息公开条例》，主动公开政府信息612条。"],
        problems: vec!["镇级政务公开人员力量薄弱。下一步将充实人员，加强培训。"],
        other: vec!["无。"],
    }
}

/// The form's own checks on the hand data (blank cells count as 0 here; a blank total is not
/// checked). Panics with the failing check: a person must fix the numbers.
pub fn validate(r: &Report) {
    let cols = 7;
    let get = |k: &str| r.apps(k);
    let val = |x: i64| if x == B { 0 } else { x };
    let (new, carried, total, fwd) = (
        get("new"),
        get("carried_over"),
        get("total"),
        get("carry_forward"),
    );
    for c in 0..cols {
        assert_eq!(
            val(new[c]) + val(carried[c]),
            val(total[c]) + val(fwd[c]),
            "{}: balance, column {c}",
            r.stem
        );
    }
    for (k, row) in &r.apps {
        if row[6] != B {
            assert_eq!(
                row[..6].iter().map(|&x| val(x)).sum::<i64>(),
                row[6],
                "{}: row total of {k}",
                r.stem
            );
        }
    }
    for c in 0..cols {
        let sum: i64 = r
            .apps
            .iter()
            .filter(|(k, _)| !matches!(*k, "new" | "carried_over" | "total" | "carry_forward"))
            .map(|(_, row)| val(row[c]))
            .sum();
        assert_eq!(sum, val(total[c]), "{}: outcome total, column {c}", r.stem);
    }
    for g in 0..3 {
        let a = &r.appeals[g * 5..g * 5 + 5];
        if a[4] != B {
            assert_eq!(
                a[..4].iter().map(|&x| val(x)).sum::<i64>(),
                a[4],
                "{}: appeals total, group {g}",
                r.stem
            );
        }
    }
}
