//! Kangxi radicals (U+2F00–U+2FD5) and CJK radical supplements (U+2E80–U+2EF3) → the unified
//! ideographs they look like. Some fonts' ToUnicode maps point common characters (一, 人, 长, 门)
//! at these radical code points, so text would not match labels without this.

/// Kangxi radicals in code-point order (their NFKC mappings).
const KANGXI: [char; 214] = [
    '一', '丨', '丶', '丿', '乙', '亅', '二', '亠', '人', '儿', '入', '八', '冂', '冖', '冫', '几',
    '凵', '刀', '力', '勹', '匕', '匚', '匸', '十', '卜', '卩', '厂', '厶', '又', '口', '囗', '土',
    '士', '夂', '夊', '夕', '大', '女', '子', '宀', '寸', '小', '尢', '尸', '屮', '山', '巛', '工',
    '己', '巾', '干', '幺', '广', '廴', '廾', '弋', '弓', '彐', '彡', '彳', '心', '戈', '戶', '手',
    '支', '攴', '文', '斗', '斤', '方', '无', '日', '曰', '月', '木', '欠', '止', '歹', '殳', '毋',
    '比', '毛', '氏', '气', '水', '火', '爪', '父', '爻', '爿', '片', '牙', '牛', '犬', '玄', '玉',
    '瓜', '瓦', '甘', '生', '用', '田', '疋', '疒', '癶', '白', '皮', '皿', '目', '矛', '矢', '石',
    '示', '禸', '禾', '穴', '立', '竹', '米', '糸', '缶', '网', '羊', '羽', '老', '而', '耒', '耳',
    '聿', '肉', '臣', '自', '至', '臼', '舌', '舛', '舟', '艮', '色', '艸', '虍', '虫', '血', '行',
    '衣', '襾', '見', '角', '言', '谷', '豆', '豕', '豸', '貝', '赤', '走', '足', '身', '車', '辛',
    '辰', '辵', '邑', '酉', '釆', '里', '金', '長', '門', '阜', '隶', '隹', '雨', '靑', '非', '面',
    '革', '韋', '韭', '音', '頁', '風', '飛', '食', '首', '香', '馬', '骨', '高', '髟', '鬥', '鬯',
    '鬲', '鬼', '魚', '鳥', '鹵', '鹿', '麥', '麻', '黃', '黍', '黑', '黹', '黽', '鼎', '鼓', '鼠',
    '鼻', '齊', '齒', '龍', '龜', '龠',
];

/// CJK radicals supplement with an equivalent unified ideograph (Unicode's
/// EquivalentUnifiedIdeograph data, the entries that occur in simplified-Chinese text).
const SUPPLEMENT: [(u32, char); 92] = [
    (0x2E86, '冂'),
    (0x2E87, '几'),
    (0x2E8A, '卜'),
    (0x2E8C, '小'),
    (0x2E8D, '小'),
    (0x2E8E, '兀'),
    (0x2E8F, '尣'),
    (0x2E90, '尢'),
    (0x2E92, '巳'),
    (0x2E93, '幺'),
    (0x2E94, '彑'),
    (0x2E96, '忄'),
    (0x2E97, '心'),
    (0x2E98, '扌'),
    (0x2E99, '攵'),
    (0x2E9B, '旡'),
    (0x2E9D, '月'),
    (0x2E9E, '歺'),
    (0x2E9F, '母'),
    (0x2EA0, '民'),
    (0x2EA1, '氵'),
    (0x2EA2, '氺'),
    (0x2EA3, '灬'),
    (0x2EA4, '爫'),
    (0x2EA6, '丬'),
    (0x2EA7, '牛'),
    (0x2EA8, '犭'),
    (0x2EA9, '王'),
    (0x2EAA, '疋'),
    (0x2EAB, '目'),
    (0x2EAC, '示'),
    (0x2EAD, '礻'),
    (0x2EAE, '竹'),
    (0x2EAF, '糹'),
    (0x2EB0, '纟'),
    (0x2EB1, '罓'),
    (0x2EB2, '罒'),
    (0x2EB7, '羊'),
    (0x2EB9, '耂'),
    (0x2EBA, '肀'),
    (0x2EBB, '聿'),
    (0x2EBC, '肉'),
    (0x2EBD, '臼'),
    (0x2EBE, '艹'),
    (0x2EBF, '艹'),
    (0x2EC0, '艹'),
    (0x2EC1, '虎'),
    (0x2EC2, '衤'),
    (0x2EC3, '覀'),
    (0x2EC4, '西'),
    (0x2EC5, '见'),
    (0x2EC6, '角'),
    (0x2EC8, '讠'),
    (0x2EC9, '贝'),
    (0x2ECB, '车'),
    (0x2ECC, '辶'),
    (0x2ECD, '辶'),
    (0x2ECE, '辶'),
    (0x2ECF, '阝'),
    (0x2ED0, '钅'),
    (0x2ED1, '長'),
    (0x2ED2, '镸'),
    (0x2ED3, '长'),
    (0x2ED4, '门'),
    (0x2ED6, '阝'),
    (0x2ED7, '雨'),
    (0x2ED8, '青'),
    (0x2ED9, '韦'),
    (0x2EDA, '页'),
    (0x2EDB, '风'),
    (0x2EDC, '飞'),
    (0x2EDD, '食'),
    (0x2EDF, '飠'),
    (0x2EE0, '饣'),
    (0x2EE2, '马'),
    (0x2EE3, '骨'),
    (0x2EE4, '鬼'),
    (0x2EE5, '鱼'),
    (0x2EE6, '鸟'),
    (0x2EE7, '卤'),
    (0x2EE8, '麦'),
    (0x2EE9, '黄'),
    (0x2EEA, '黾'),
    (0x2EEB, '斉'),
    (0x2EEC, '齐'),
    (0x2EED, '歯'),
    (0x2EEE, '齿'),
    (0x2EEF, '竜'),
    (0x2EF0, '龙'),
    (0x2EF1, '龜'),
    (0x2EF2, '亀'),
    (0x2EF3, '龟'),
];

pub fn normalize_char(c: char) -> char {
    let u = c as u32;
    if (0x2F00..=0x2FD5).contains(&u) {
        return KANGXI[(u - 0x2F00) as usize];
    }
    if (0x2E80..=0x2EF3).contains(&u) {
        if let Ok(i) = SUPPLEMENT.binary_search_by_key(&u, |e| e.0) {
            return SUPPLEMENT[i].1;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn radicals_become_ideographs() {
        let s: String = "⼀⼈⻓⻔⺠x".chars().map(super::normalize_char).collect();
        assert_eq!(s, "一人长门民x");
    }
}
