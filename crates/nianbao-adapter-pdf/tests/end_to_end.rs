//! The real reports converted through the template and compared cell by cell with the
//! hand-checked expectations in fixtures/real.
mod common;
use common::*;
use nianbao_template::{convert, expected::compare_file, Source};

#[test]
fn real_reports_are_read_right_cell_by_cell() {
    for stem in ["hongze-2023", "hongze-2024", "huaian-2024"] {
        let doc = extract(&format!("real/{stem}.pdf"));
        let source = Source {
            path: format!("{stem}.pdf"),
            format: Some("pdf".into()),
            ..Default::default()
        };
        let record = convert(&doc, source);
        let score = compare_file(&record, &fixture(&format!("real/{stem}.expected.json"))).unwrap();
        assert!(
            score.is_perfect(),
            "{stem}: {}/{} cells {:?} {:?}",
            score.right,
            score.cells,
            score.mismatches,
            score.meta_wrong
        );
    }
}
