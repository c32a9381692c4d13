//! The real reports converted through the template and compared cell by cell with the
//! hand-checked expectations in fixtures/real.
mod common;
use common::*;
use nianbao_template::{convert, expected::compare_file, Source};

#[test]
fn real_reports_reach_the_accuracy_bar() {
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
            score.accuracy() >= 0.99,
            "{stem}: {:.4} {:?}",
            score.accuracy(),
            score.mismatches
        );
        assert!(
            score.meta_wrong.is_empty(),
            "{stem}: {:?}",
            score.meta_wrong
        );
    }
}
