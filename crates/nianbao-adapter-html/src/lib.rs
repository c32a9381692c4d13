//! Web pages (`.html`, `.htm`, saved `.mhtml`): many reports are published only on 政府信息公开
//! sites, usually with the template's tables as real `<table>` elements.
//!
//! bytes → (MHTML part) → charset ([`charset`]) → element tree by the HTML5 parsing rules
//! (html5ever, [`tree`]) → paragraphs and tables on a browser grid ([`blocks`],
//! [`grid`]), with scripts, styles and site chrome left out ([`boilerplate`]).
mod blocks;
mod boilerplate;
mod charset;
mod grid;
mod media;
mod mhtml;
mod tree;

use nianbao_core::{Adapter, Document, ErrorKind, ExtractError, Input};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub struct HtmlAdapter;

impl Adapter for HtmlAdapter {
    fn name(&self) -> &'static str {
        "html"
    }
    fn describe(&self) -> &'static str {
        "web pages (.html, .htm, saved .mhtml): UTF-8 or GBK, tables with merged cells"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        50
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        nianbao_core::sniff::is_html(bytes) || mhtml::is_mhtml(bytes)
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        if input.bytes.is_empty() {
            return Err(ExtractError::new(ErrorKind::Empty, "the file is empty"));
        }
        if input.bytes.len() as u64 > input.limits.max_part_bytes {
            return Err(ExtractError::new(
                ErrorKind::TooLarge,
                format!("the page is {} bytes, over the limit", input.bytes.len()),
            ));
        }
        // The parser is written not to panic; this keeps a bug from becoming a crash.
        catch_unwind(AssertUnwindSafe(|| extract(input.bytes))).unwrap_or_else(|_| {
            Err(ExtractError::new(
                ErrorKind::Internal,
                format!("{}: the HTML reader failed (a bug)", input.path),
            ))
        })
    }
}

static HTML: HtmlAdapter = HtmlAdapter;
nianbao_core::register_adapter!(HTML);

/// Reads a page (or an MHTML archive of one) into the document model.
pub fn extract(bytes: &[u8]) -> Result<Document, ExtractError> {
    let mut warnings = Vec::new();
    let part;
    let (page, declared) = if mhtml::is_mhtml(bytes) {
        part = mhtml::html_part(bytes).map_err(ExtractError::corrupt)?;
        (&part.bytes[..], part.charset.as_deref())
    } else {
        (bytes, None)
    };
    let decoded = charset::decode(page, declared);
    warnings.extend(decoded.warning);
    let tree = tree::Tree::parse(&decoded.text);
    let out = blocks::blocks(&tree);
    warnings.extend(out.warnings);
    if out.blocks.is_empty() {
        return Err(ExtractError::new(
            ErrorKind::Empty,
            "the page shows no text",
        ));
    }
    Ok(Document {
        blocks: out.blocks,
        encoding: Some(decoded.encoding),
        pages: None,
        warnings,
        title: page_title(&tree),
    })
}

/// The text of the page's `<title>` (its browser tab), white space collapsed.
fn page_title(tree: &tree::Tree) -> Option<String> {
    let id = (0..tree.nodes.len()).find(|&i| tree.name(i) == "title")?;
    let text: String = tree.nodes[id]
        .children
        .iter()
        .filter_map(|&c| match &tree.nodes[c].kind {
            tree::NodeKind::Text(t) => Some(t.as_str()),
            tree::NodeKind::Element { .. } => None,
        })
        .collect();
    let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::{Block, Limits};

    fn doc(html: &str) -> Document {
        extract(html.as_bytes()).unwrap()
    }

    fn paragraphs(d: &Document) -> Vec<&str> {
        d.paragraphs().collect()
    }

    fn table(d: &Document, i: usize) -> &nianbao_core::Table {
        d.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                Block::Paragraph(_) => None,
            })
            .nth(i)
            .unwrap()
    }

    #[test]
    fn paragraphs_in_order_with_entities() {
        let d = doc(
            "<html><body><h1>标题&nbsp;一</h1><div>甲<br>乙<p>丙</p>丁</div>\
                     <ul><li>&#x4E00;、总体<li>R&amp;D</ul><p>&lt;b&gt;</p></body></html>",
        );
        assert_eq!(
            paragraphs(&d),
            ["标题 一", "甲", "乙", "丙", "丁", "一、总体", "R&D", "<b>"]
        );
        let lines: Vec<Option<u32>> = d
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) => p.prov.line,
                Block::Table(t) => t.prov.line,
            })
            .collect();
        assert!(lines.iter().all(|l| *l == Some(1)));
    }

    #[test]
    fn white_space_collapses_like_a_browser() {
        let d = doc("<p>  主动公开政府信息\n   3215  条，\n其中政策\n文件</p><p>a\nb</p>");
        assert_eq!(
            paragraphs(&d),
            ["主动公开政府信息 3215 条，其中政策文件", "a b"]
        );
        let d = doc("<pre>规章\t0\t0\n行政许可  12</pre>");
        assert_eq!(paragraphs(&d), ["规章\t0\t0", "行政许可  12"]);
    }

    #[test]
    fn cells_keep_their_line_breaks() {
        let d = doc(
            "<table><tr><td><p>社会公益</p><p>组织</p></td><td>法律服务<br/>机构</td>\
                     <td> <span>1</span> </td></tr><tr><td>x<td><td>&nbsp;</table>",
        );
        let t = table(&d, 0);
        let texts: Vec<&str> = t.rows[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["社会公益\n组织", "法律服务\n机构", "1"]);
        let texts: Vec<&str> = t.rows[1].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["x", "", ""]);
        assert_eq!(t.n_cols, 3);
    }

    #[test]
    fn layout_tables_are_read_through() {
        let d = doc("<table><tr><td>左栏</td><td><p>正文</p>\
                     <table><tr><th>规章</th><td>0</td></tr></table><p>后记</p></td></tr></table>\
                     <table><tr><td><p>单格表格中的段落</p></td></tr></table>");
        assert_eq!(paragraphs(&d), ["左栏", "正文", "后记", "单格表格中的段落"]);
        let t = table(&d, 0);
        assert_eq!(t.prov.table, Some(0));
        assert_eq!(t.rows[0][1].text, "0");
        assert_eq!(d.blocks.len(), 5);
        assert!(matches!(d.blocks[2], Block::Table(_)));
    }

    #[test]
    fn tables_are_numbered_and_spans_clamped() {
        let d = doc(
            "<table><tr><td rowspan=5 colspan=0>a</td><td>b</td></tr><tr><td>c</td></tr>\
                     </table><table><caption>表二</caption><td>1<td>2</table>",
        );
        let t0 = table(&d, 0);
        assert_eq!((t0.rows[0][0].row_span, t0.rows[0][0].col_span), (2, 1));
        assert_eq!(t0.rows[1][0].col, 1);
        let t1 = table(&d, 1);
        assert_eq!(t1.prov.table, Some(1));
        assert_eq!(t1.rows[0].len(), 2);
        assert!(paragraphs(&d).contains(&"表二"));
    }

    #[test]
    fn chrome_scripts_and_hidden_blocks_are_left_out() {
        let d = doc(
            "<html><head><title>标题</title><style>p{color:red}</style></head><body>\
            <header><a href=/>首页</a></header><nav>导航</nav>\
            <div class=\"crumb\">当前位置：首页 &gt; 年报</div>\
            <ul><li><a href=1>政务公开</a><li><a href=2>办事服务</a><li><a href=3>互动交流</a></ul>\
            <script>document.write('<p>脚本</p>')</script><noscript>请启用脚本</noscript>\
            <p>一、总体情况</p><p style=\"display: none\">隐藏</p>\
            <div>【打印本页】【关闭窗口】</div><div>分享到：微信</div>\
            <footer>版权所有</footer></body></html>",
        );
        assert_eq!(paragraphs(&d), ["一、总体情况"]);
        assert_eq!(d.title.as_deref(), Some("标题"));
        assert_eq!(doc("<p>正文</p>").title, None);
    }

    #[test]
    fn errors_and_hostile_input() {
        let limits = Limits::default();
        let run = |bytes: &[u8]| {
            HtmlAdapter
                .extract(&Input {
                    bytes,
                    path: "x.html",
                    limits: &limits,
                })
                .map(|_| ())
        };
        assert_eq!(run(b"").unwrap_err().kind, ErrorKind::Empty);
        assert_eq!(
            run(b"<html><head><script>x</script></head></html>")
                .unwrap_err()
                .kind,
            ErrorKind::Empty
        );
        let mhtml =
            b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=q\r\n\r\n--q--";
        assert_eq!(run(mhtml).unwrap_err().kind, ErrorKind::Corrupt);
        let small = Limits {
            max_part_bytes: 10,
            ..Limits::default()
        };
        let too_big = HtmlAdapter.extract(&Input {
            bytes: &[b'x'; 11],
            path: "x",
            limits: &small,
        });
        assert_eq!(too_big.unwrap_err().kind, ErrorKind::TooLarge);
        // Deep nesting, huge spans, unterminated markup, binary noise: no panic.
        let deep = "<table><tr><td>".repeat(3000) + "x";
        let wide = "<table>".to_string() + &"<tr><td colspan=1000 rowspan=65534>1".repeat(300);
        let noise: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for bytes in [
            deep.as_bytes(),
            wide.as_bytes(),
            b"<p a='",
            b"<td rowspan=99999999999>",
            &noise,
        ] {
            let _ = run(bytes);
        }
        assert!(run(deep.as_bytes()).is_ok());
    }
}
