//! FNV-1a, a hasher for small keys (short names, codes) looked up in hot loops, where the
//! standard library's DoS-resistant SipHash costs more than the lookup. Tables keyed by a
//! document's own data stay bounded in size (a CMap is capped), so a crafted set of colliding
//! keys costs time within the document's time limit, not memory.
use std::hash::Hasher;

#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}
