//! Section 二: the 第二十条 tables. Each sub-table's header decides its columns (the 2019 and
//! 2021 templates differ), falling back on the number of values when a header was lost.
use crate::assign::{assign, MoneyDefault};
use crate::keys::{Key, Version};
use crate::record::Record;
use crate::rows::LRow;
use crate::text::label_key;

/// What the headers of the current sub-table said.
#[derive(Default, Clone, Copy)]
struct Header {
    made: bool,
    issued: bool,
    prev_items: bool,
    decisions: bool,
    fee_amount: bool,
    yuan: bool,
}

impl Header {
    fn read(&mut self, key: &str) {
        if key.contains("第二十条") || key.contains("第(") && key.ends_with("项") {
            *self = Header::default();
        }
        self.issued |= key.contains("制发") || key.contains("废止") || key.contains("现行有效");
        self.made |= key.contains("新制作") || key.contains("制作数量") || key.contains("公开总数");
        self.prev_items |= key.contains("上一年");
        self.decisions |= key.contains("处理决定");
        self.fee_amount |= key.contains("收费金额");
        if key.contains("采购总金额") || key.contains("收费金额") {
            self.yuan = key.contains("(元)") || (key.contains('元') && !key.contains("万元"));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Item {
    Rules,
    Normative,
    Licensing,
    OtherServices,
    Penalty,
    Coercion,
    Fees,
    Procurement,
}

fn item_of(key: &str) -> Option<Item> {
    Some(if key.contains("规范性文件") {
        Item::Normative
    } else if key.contains("规章") {
        Item::Rules
    } else if key.contains("对外管理服务") {
        Item::OtherServices
    } else if key.contains("行政许可") {
        Item::Licensing
    } else if key.contains("行政处罚") {
        Item::Penalty
    } else if key.contains("行政强制") {
        Item::Coercion
    } else if key.contains("事业性收费") {
        Item::Fees
    } else if key.contains("集中采购") {
        Item::Procurement
    } else {
        return None;
    })
}

pub fn map(rec: &mut Record, rows: &[LRow], version: Version) -> usize {
    let mut header = Header::default();
    let mut found = 0;
    // Label-only lines since the last row with numbers: a label wrapped above its numbers
    // (其他对外管理服务事 / 项 / 96 4 1520) is read whole when its last fragment names nothing.
    let mut above: Vec<&str> = Vec::new();
    for row in rows {
        let key = label_key(&row.label);
        if row.n_numbers() == 0 {
            header.read(&key);
            above.push(&row.label);
            continue;
        }
        let wrapped = || {
            let from = above.len().saturating_sub(2);
            item_of(&label_key(&format!(
                "{}{}",
                above[from..].concat(),
                row.label
            )))
        };
        let item = item_of(&key).or_else(wrapped);
        above.clear();
        let Some(item) = item else {
            header.read(&key);
            continue;
        };
        let n = row.n_numbers().max(row.slots.len());
        let v2019 = |yes_2019: bool| {
            if yes_2019 {
                Version::V2019
            } else {
                Version::V2021
            }
        };
        let (cols, money): (&[Key], MoneyDefault) = match item {
            Item::Rules | Item::Normative => {
                let v = if header.issued {
                    Version::V2021
                } else if header.made {
                    Version::V2019
                } else {
                    version
                };
                let rules = item == Item::Rules;
                (
                    match (v, rules) {
                        (Version::V2019, true) => &[
                            Key::ACTIVE_RULES_MADE,
                            Key::ACTIVE_RULES_PUBLISHED,
                            Key::ACTIVE_RULES_TOTAL,
                        ],
                        (Version::V2021, true) => &[
                            Key::ACTIVE_RULES_ISSUED,
                            Key::ACTIVE_RULES_REPEALED,
                            Key::ACTIVE_RULES_IN_FORCE,
                        ],
                        (Version::V2019, false) => &[
                            Key::ACTIVE_NORMATIVE_MADE,
                            Key::ACTIVE_NORMATIVE_PUBLISHED,
                            Key::ACTIVE_NORMATIVE_TOTAL,
                        ],
                        (Version::V2021, false) => &[
                            Key::ACTIVE_NORMATIVE_ISSUED,
                            Key::ACTIVE_NORMATIVE_REPEALED,
                            Key::ACTIVE_NORMATIVE_IN_FORCE,
                        ],
                    },
                    MoneyDefault::Wan,
                )
            }
            Item::Licensing | Item::Penalty | Item::Coercion | Item::OtherServices => {
                let v = if header.prev_items || item == Item::OtherServices {
                    Version::V2019
                } else if header.decisions {
                    Version::V2021
                } else {
                    v2019(n >= 3)
                };
                let three: &[Key] = match item {
                    Item::Licensing => &[
                        Key::ACTIVE_LICENSING_PREV_ITEMS,
                        Key::ACTIVE_LICENSING_CHANGE,
                        Key::ACTIVE_LICENSING_DECISIONS,
                    ],
                    Item::Penalty => &[
                        Key::ACTIVE_PENALTY_PREV_ITEMS,
                        Key::ACTIVE_PENALTY_CHANGE,
                        Key::ACTIVE_PENALTY_DECISIONS,
                    ],
                    Item::Coercion => &[
                        Key::ACTIVE_COERCION_PREV_ITEMS,
                        Key::ACTIVE_COERCION_CHANGE,
                        Key::ACTIVE_COERCION_DECISIONS,
                    ],
                    _ => &[
                        Key::ACTIVE_OTHER_SERVICES_PREV_ITEMS,
                        Key::ACTIVE_OTHER_SERVICES_CHANGE,
                        Key::ACTIVE_OTHER_SERVICES_DECISIONS,
                    ],
                };
                (
                    if v == Version::V2019 {
                        three
                    } else {
                        &three[2..]
                    },
                    MoneyDefault::Wan,
                )
            }
            Item::Fees => {
                let money = if header.yuan {
                    MoneyDefault::Yuan
                } else {
                    MoneyDefault::Wan
                };
                if header.fee_amount || (!header.prev_items && n == 1) {
                    (&[Key::ACTIVE_FEES_AMOUNT_WAN], money)
                } else {
                    (
                        &[Key::ACTIVE_FEES_PREV_ITEMS, Key::ACTIVE_FEES_CHANGE],
                        money,
                    )
                }
            }
            Item::Procurement => (
                &[
                    Key::ACTIVE_PROCUREMENT_ITEMS,
                    Key::ACTIVE_PROCUREMENT_AMOUNT_WAN,
                ],
                if header.yuan {
                    MoneyDefault::Yuan
                } else {
                    MoneyDefault::Wan
                },
            ),
        };
        if assign(rec, row, cols, money, &format!("二、{}", row.label.trim())) {
            found += 1;
        }
    }
    found
}
