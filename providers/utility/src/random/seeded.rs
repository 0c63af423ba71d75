//! The deterministic generator behind `seed` (`random_integer`, `random_shuffle`): as the
//! plugin's `random.NewRand`, Go's `math/rand` seeded with the CRC-64 (ISO polynomial) of the
//! seed string, so a seed gives the number or order the plugin gives. Without a seed the
//! plugin seeds with the time; here the operating system's randomness is used.

use super::go_cooked::COOKED;
use crate::kit::Result;

/// CRC-64 with the ISO 3309 polynomial, as Go's `crc64.Checksum(b, crc64.MakeTable(crc64.ISO))`.
pub fn crc64_iso(data: &[u8]) -> u64 {
    const POLY: u64 = 0xD800_0000_0000_0000; // ISO, reversed
    let mut crc = !0u64;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY } else { crc >> 1 };
        }
    }
    !crc
}

const LEN: usize = 607;
const TAP: usize = 273;
const MASK: i64 = i64::MAX;
const INT32_MAX: i64 = (1 << 31) - 1;

/// Go's `rngSource`: an additive lagged Fibonacci generator (Mitchell and Reeds).
pub struct GoRand {
    tap: usize,
    feed: usize,
    vec: Box<[i64; LEN]>,
}

/// `seedrand`: x[n+1] = 48271 * x[n] mod (2**31 - 1).
fn seedrand(x: i32) -> i32 {
    const A: i32 = 48271;
    const Q: i32 = 44488;
    const R: i32 = 3399;
    let hi = x / Q;
    let lo = x % Q;
    let x = A.wrapping_mul(lo).wrapping_sub(R.wrapping_mul(hi));
    if x < 0 { x + INT32_MAX as i32 } else { x }
}

impl GoRand {
    /// `rand.NewSource(seed)`.
    pub fn new(seed: i64) -> GoRand {
        let mut seed = seed % INT32_MAX;
        if seed < 0 {
            seed += INT32_MAX;
        }
        if seed == 0 {
            seed = 89_482_311;
        }
        let mut x = seed as i32;
        let mut vec = Box::new([0i64; LEN]);
        for i in -20..LEN as i64 {
            x = seedrand(x);
            if i >= 0 {
                let mut u = i64::from(x) << 40;
                x = seedrand(x);
                u ^= i64::from(x) << 20;
                x = seedrand(x);
                u ^= i64::from(x);
                u ^= COOKED[i as usize];
                vec[i as usize] = u & MASK;
            }
        }
        GoRand { tap: 0, feed: LEN - TAP, vec }
    }

    pub fn int63(&mut self) -> i64 {
        self.tap = if self.tap == 0 { LEN - 1 } else { self.tap - 1 };
        self.feed = if self.feed == 0 { LEN - 1 } else { self.feed - 1 };
        let x = self.vec[self.feed].wrapping_add(self.vec[self.tap]) & MASK;
        self.vec[self.feed] = x;
        x
    }

    fn int31(&mut self) -> i32 {
        (self.int63() >> 32) as i32
    }

    fn int31n(&mut self, n: i32) -> i32 {
        if n & (n - 1) == 0 {
            return self.int31() & (n - 1);
        }
        let max = (i64::from(i32::MAX) - (1i64 << 31) % i64::from(n)) as i32;
        let mut v = self.int31();
        while v > max {
            v = self.int31();
        }
        v % n
    }

    fn int63n(&mut self, n: i64) -> i64 {
        if n & (n - 1) == 0 {
            return self.int63() & (n - 1);
        }
        let max = (u64::MAX >> 1) - (1u64 << 63) % n as u64;
        let mut v = self.int63();
        while v as u64 > max {
            v = self.int63();
        }
        v % n
    }

    /// `Intn(n)`, `n` > 0.
    pub fn intn(&mut self, n: i64) -> i64 {
        if n <= INT32_MAX { i64::from(self.int31n(n as i32)) } else { self.int63n(n) }
    }
}

/// Numbers from a seed (Go's `math/rand`), or from the operating system's randomness.
pub enum Rng {
    Seeded(GoRand),
    Os,
}

impl Rng {
    pub fn new(seed: Option<&str>) -> Rng {
        match seed {
            Some(s) if !s.is_empty() => Rng::Seeded(GoRand::new(crc64_iso(s.as_bytes()) as i64)),
            _ => Rng::Os,
        }
    }

    /// Uniform in `0..n` (`n` > 0), as `Intn`.
    pub fn below(&mut self, n: u64) -> Result<u64> {
        match self {
            Rng::Seeded(g) if n <= i64::MAX as u64 => Ok(g.intn(n as i64) as u64),
            // Beyond Go's int (the plugin's `Intn` would panic): two draws, rejected above n.
            Rng::Seeded(g) => loop {
                let v = (g.int63() as u64) << 1 | (g.int63() as u64 & 1);
                if v < n {
                    return Ok(v);
                }
            },
            Rng::Os => super::below(n),
        }
    }

    /// A random permutation of `0..n`, as `rand.Perm`.
    pub fn perm(&mut self, n: usize) -> Result<Vec<usize>> {
        let mut m = vec![0usize; n];
        for i in 0..n {
            let j = self.below(i as u64 + 1)? as usize;
            m[i] = m[j];
            m[j] = i;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_iso_matches_the_check_value() {
        // The catalogue's check value of CRC-64/GO-ISO over "123456789".
        assert_eq!(crc64_iso(b"123456789"), 0xB909_56C7_75A4_1001);
    }

    #[test]
    fn seed_1_gives_gos_well_known_sequence() {
        // `rand.New(rand.NewSource(1))`, the default source of Go before 1.20:
        // `rand.Intn(100)` ten times.
        let mut r = GoRand::new(1);
        let got: Vec<i64> = (0..10).map(|_| r.intn(100)).collect();
        assert_eq!(got, [81, 87, 47, 59, 81, 18, 25, 40, 56, 0]);
    }

    #[test]
    fn the_plugins_seeded_acceptance_values() {
        // TestAccResourceInteger_*: seed "12345", min 1, max 3 gives 3; seed "123456" gives 2.
        assert_eq!(Rng::new(Some("12345")).below(3).unwrap() + 1, 3);
        assert_eq!(Rng::new(Some("123456")).below(3).unwrap() + 1, 2);
        // TestAccResourceShuffle_*: seed "-" orders ["a", "b", "c", "d", "e"] as a, c, b, e, d.
        assert_eq!(Rng::new(Some("-")).perm(5).unwrap(), [0, 2, 1, 4, 3]);
    }
}
