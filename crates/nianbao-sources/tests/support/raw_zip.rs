//! A zip writer for crafted archives, byte by byte: names can be raw GBK bytes, flags and
//! declared sizes can lie. Shared with the CLI's tests (`#[path]`), which craft zips too.
#![allow(dead_code)]

/// A zip writer that stores exactly what it is told.
pub struct RawZip {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

pub struct Entry<'a> {
    pub name: &'a [u8],
    pub flags: u16,
    /// 0 stored, 8 deflate.
    pub method: u16,
    pub data: &'a [u8],
    pub crc: u32,
    /// Declared uncompressed size (may lie).
    pub size: u32,
    pub extra: Vec<u8>,
}

impl<'a> Entry<'a> {
    pub fn stored(name: &'a [u8], data: &'a [u8]) -> Self {
        Entry {
            name,
            flags: 0,
            method: 0,
            data,
            crc: crc32(data),
            size: data.len() as u32,
            extra: vec![],
        }
    }
}

impl RawZip {
    pub fn new() -> Self {
        RawZip {
            out: vec![],
            central: vec![],
            count: 0,
        }
    }

    pub fn add(&mut self, e: Entry<'_>) -> &mut Self {
        let offset = self.out.len() as u32;
        let mut common = vec![];
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&e.flags.to_le_bytes());
        common.extend_from_slice(&e.method.to_le_bytes());
        common.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        common.extend_from_slice(&e.crc.to_le_bytes());
        common.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        common.extend_from_slice(&e.size.to_le_bytes());
        common.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        common.extend_from_slice(&(e.extra.len() as u16).to_le_bytes());
        self.out.extend_from_slice(b"PK\x03\x04");
        self.out.extend_from_slice(&common);
        self.out.extend_from_slice(e.name);
        self.out.extend_from_slice(&e.extra);
        self.out.extend_from_slice(e.data);
        self.central.extend_from_slice(b"PK\x01\x02");
        self.central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        self.central.extend_from_slice(&common);
        self.central.extend_from_slice(&[0u8; 6]); // comment len, disk, internal attrs
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(e.name);
        self.central.extend_from_slice(&e.extra);
        self.count += 1;
        self
    }

    /// A central-directory entry named `name` that points at the local header of the entry
    /// added `back` entries ago: its bytes overlap that entry's (the overlapping zip bomb).
    pub fn alias(&mut self, name: &[u8], back: usize) -> &mut Self {
        let mut records = Vec::new();
        let mut at = 0;
        while at < self.central.len() {
            let n = u16::from_le_bytes([self.central[at + 28], self.central[at + 29]]) as usize;
            let x = u16::from_le_bytes([self.central[at + 30], self.central[at + 31]]) as usize;
            records.push(at);
            at += 46 + n + x;
        }
        let start = records[records.len() - back];
        let mut rec = self.central[start..start + 28].to_vec();
        rec.extend_from_slice(&(name.len() as u16).to_le_bytes());
        rec.extend_from_slice(&0u16.to_le_bytes()); // extra
        rec.extend_from_slice(&self.central[start + 32..start + 46]);
        rec.extend_from_slice(name);
        self.central.extend_from_slice(&rec);
        self.count += 1;
        self
    }

    pub fn finish(&self) -> Vec<u8> {
        let mut z = self.out.clone();
        let cd_start = z.len() as u32;
        z.extend_from_slice(&self.central);
        z.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        z.extend_from_slice(&self.count.to_le_bytes());
        z.extend_from_slice(&self.count.to_le_bytes());
        z.extend_from_slice(&(self.central.len() as u32).to_le_bytes());
        z.extend_from_slice(&cd_start.to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        z
    }
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
