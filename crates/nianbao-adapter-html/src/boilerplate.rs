//! Site chrome around the report: navigation, breadcrumbs, share and print links, footers.
//! Recognised by element (`nav`, `header`, …), by class or id, by link density, and by the
//! phrases Chinese government sites put in those blocks.

/// Elements never shown or never part of the document's text.
const HIDDEN_ELEMENTS: &[&str] = &[
    "head", "script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg",
    "math", "select", "button", "input", "textarea", "nav", "header", "footer", "aside", "map",
    "area", "audio", "video", "canvas", "dialog",
];

/// Class or id values (whole tokens) that name chrome blocks.
const CHROME_CLASSES: &[&str] = &[
    "nav",
    "navbar",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "position",
    "location",
    "dqwz",
    "footer",
    "foot",
    "header",
    "head",
    "top",
    "topbar",
    "sidebar",
    "share",
    "bdsharebuttonbox",
    "copyright",
    "toolbar",
];

/// A paragraph starting so is a breadcrumb.
const BREADCRUMB_STARTS: &[&str] = &[
    "当前位置",
    "当前的位置",
    "您当前的位置",
    "您现在的位置",
    "您的位置",
    "所在位置",
    "现在位置",
];

/// Phrases of chrome blocks; a short paragraph holding one is chrome.
const CHROME_PHRASES: &[&str] = &[
    "打印本页",
    "关闭窗口",
    "分享到",
    "网站地图",
    "附件下载",
    "返回顶部",
    "加入收藏",
    "设为首页",
    "联系我们",
    "版权所有",
    "主办单位",
    "承办单位",
    "ICP备",
    "网站标识码",
    "公网安备",
    "【打印】",
    "【关闭】",
    "[打印]",
    "[关闭]",
    "字号：",
    "字体：",
    "【大 中 小】",
    "扫一扫在手机打开",
    "上一篇",
    "下一篇",
    "相关链接",
];

/// Chrome phrases only count in paragraphs up to this many characters: report text is longer.
const SHORT: usize = 120;

pub fn is_hidden_element(name: &str) -> bool {
    HIDDEN_ELEMENTS.contains(&name)
}

/// Whether an inline style or the `hidden` attribute hides the element.
pub fn is_hidden_style(style: Option<&str>, hidden: bool) -> bool {
    hidden
        || style.is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            let s = s.to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// Whether a class or id attribute names a chrome block.
pub fn is_chrome_class(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        v.split_ascii_whitespace()
            .any(|t| CHROME_CLASSES.contains(&t.to_ascii_lowercase().as_str()))
    })
}

/// Whether a paragraph of text is site chrome rather than report text.
pub fn is_chrome_text(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || "【[（(『「<《".contains(c));
    if BREADCRUMB_STARTS.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    if t.starts_with("首页") && t.contains(['>', '»', '＞', '›']) {
        return true;
    }
    if text.chars().count() > SHORT {
        return false;
    }
    let Some(chrome) = CHROME_PHRASES.iter().filter_map(|p| text.find(p)).min() else {
        return false;
    };
    // A crawler's field lines run the title into the furniture (标题 … 【字体：大 中 小】): a
    // paragraph that names the report before any chrome is its title. (附件下载：…年度报告.pdf
    // names it after.)
    !text[..chrome].contains("年度报告")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_run_into_furniture_is_kept() {
        let line =
            "标题：2019年某局政府信息公开工作年度报告 发布时间：2020-01-31 【字体：大 中 小】";
        assert!(!is_chrome_text(line));
        assert!(is_chrome_text("发布时间：2020-01-31 【字体：大 中 小】"));
        assert!(is_chrome_text(
            "附件下载：某局2021年政府信息公开工作年度报告.pdf"
        ));
    }

    #[test]
    fn chrome_lines() {
        for line in [
            "当前位置：首页 > 政务公开 > 政府信息公开年报",
            "【您现在的位置】首页 > 年报",
            "首页 > 政府信息公开 > 年度报告",
            "【打印本页】 【关闭窗口】",
            "分享到：微信 微博 QQ空间",
            "网站地图 | 联系我们 | 无障碍浏览",
            "版权所有：临河县人民政府办公室 主办单位：临河县人民政府 备案号：京ICP备12345678号",
        ] {
            assert!(is_chrome_text(line), "{line}");
        }
    }

    #[test]
    fn report_lines_are_kept() {
        for line in [
            "一、总体情况",
            "2021年，我县深入贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息3521条。",
            "（六）其他需要报告的事项",
            "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。如对本报告有疑问，请与临河县人民政府办公室联系（地址：临河县人民路1号，邮编：100000，电话：010-12345678），欢迎提出意见和建议，也可通过网站联系我们。",
        ] {
            assert!(!is_chrome_text(line), "{line}");
        }
    }

    #[test]
    fn classes_and_styles() {
        assert!(is_chrome_class(Some("clearfix Nav")));
        assert!(!is_chrome_class(Some("article-header content")));
        assert!(is_hidden_style(Some("DISPLAY: none;"), false));
        assert!(!is_hidden_style(Some("display:block"), false));
    }
}
