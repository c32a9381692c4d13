//! Which cells a failed check is about, so that the audit page and the workbook can mark them.
//!
//! A check's `detail` names each failing part before a colon (`balance`: an applicant column,
//! `row_total`: a row, `outcome_total`: a column, `appeals_total`: a group; SCHEMA.md), one
//! part per `; `. The cells of that part are the inputs of its rule; `carry_over` is about the
//! document's 上年结转 total. A part whose name is not recognised marks no cell: the check is
//! still listed with its detail.
use crate::Doc;
use nianbao_template::Key;

/// The applications rows whose sum is (七)总计 (every outcome row).
fn is_outcome_row(row: &str) -> bool {
    !matches!(row, "new" | "carried_over" | "carry_forward")
}

/// The keys `part` of a failed `rule` is about.
fn part_keys(rule: &str, part: &str) -> Vec<Key> {
    let split = |k: &'static str| -> Option<(&'static str, &'static str, &'static str)> {
        let (section, rest) = k.split_once('.')?;
        let (row, col) = rest.rsplit_once('.')?;
        Some((section, row, col))
    };
    Key::all()
        .filter(|&k| {
            let Some((section, row, col)) = split(k.name()) else {
                return false;
            };
            match rule {
                "balance" => {
                    section == "applications"
                        && col == part
                        && matches!(row, "new" | "carried_over" | "total" | "carry_forward")
                }
                "row_total" => section == "applications" && row == part,
                "outcome_total" => section == "applications" && col == part && is_outcome_row(row),
                "appeals_total" => section == "appeals" && row == part,
                "carry_over" => k == Key::APPLICATIONS_CARRIED_OVER_TOTAL,
                _ => false,
            }
        })
        .collect()
}

/// One failed part of a check: the rule, what disagrees, and the cells it is about.
#[derive(Debug, Clone)]
pub struct Failure {
    pub rule: String,
    pub detail: String,
    pub keys: Vec<Key>,
}

/// Every failed part of the document's checks.
pub fn failures(doc: &Doc) -> Vec<Failure> {
    let mut out = Vec::new();
    for c in doc.failed_checks() {
        if c.rule == "carry_over" {
            out.push(Failure {
                rule: c.rule.clone(),
                detail: c.detail.clone(),
                keys: part_keys(&c.rule, ""),
            });
            continue;
        }
        for part in c.detail.split("; ") {
            let name = part.split_once(':').map(|(n, _)| n.trim()).unwrap_or("");
            out.push(Failure {
                rule: c.rule.clone(),
                detail: part.to_string(),
                keys: part_keys(&c.rule, name),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Check;

    fn doc(rule: &str, detail: &str) -> Doc {
        Doc {
            checks: vec![Check {
                rule: rule.into(),
                ok: false,
                detail: detail.into(),
            }],
            ..Doc::default()
        }
    }

    #[test]
    fn each_rule_marks_the_cells_it_adds_up() {
        // The details as checks.rs writes them.
        let f = failures(&doc(
            "balance",
            "enterprise: new 1 + carried_over 0 = 1 ≠ total 2 + carry_forward 0 = 2",
        ));
        assert_eq!(
            f[0].keys,
            [
                Key::APPLICATIONS_NEW_ENTERPRISE,
                Key::APPLICATIONS_CARRIED_OVER_ENTERPRISE,
                Key::APPLICATIONS_TOTAL_ENTERPRISE,
                Key::APPLICATIONS_CARRY_FORWARD_ENTERPRISE
            ]
        );
        let f = failures(&doc(
            "appeals_total",
            "review: upheld+corrected+other+pending = 11, total says 0; litigation_after_review: upheld+corrected+other+pending = 5, total says 0",
        ));
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].keys,
            [
                Key::APPEALS_REVIEW_UPHELD,
                Key::APPEALS_REVIEW_CORRECTED,
                Key::APPEALS_REVIEW_OTHER,
                Key::APPEALS_REVIEW_PENDING,
                Key::APPEALS_REVIEW_TOTAL
            ]
        );
        assert_eq!(f[1].keys.len(), 5);
        assert!(f[1].detail.starts_with("litigation_after_review:"));
        let f = failures(&doc(
            "row_total",
            "denied.state_secret: columns sum to 3, total says 4",
        ));
        assert_eq!(f[0].keys.len(), 7);
        assert!(f[0]
            .keys
            .iter()
            .all(|k| k.name().starts_with("applications.denied.state_secret.")));
        let f = failures(&doc(
            "outcome_total",
            "total: outcomes sum to 9, (七)总计 says 8",
        ));
        // 予以公开 … 其他处理 (one combined row and three sub-rows) and (七)总计 itself.
        assert_eq!(f[0].keys.len(), 18 + 4 + 1);
        assert!(f[0].keys.contains(&Key::APPLICATIONS_TOTAL_TOTAL));
        assert!(!f[0].keys.contains(&Key::APPLICATIONS_NEW_TOTAL));
        let f = failures(&doc(
            "carry_over",
            "2023 carry_forward 4 vs 2024 carried_over 5",
        ));
        assert_eq!(f[0].keys, [Key::APPLICATIONS_CARRIED_OVER_TOTAL]);
        assert!(failures(&doc("unknown", "x: y"))[0].keys.is_empty());
    }
}
