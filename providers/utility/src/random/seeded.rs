//! The deterministic generator behind `seed` (`random_integer`, `random_shuffle`): seeded,
//! as the plugin's `random.NewRand`, by the CRC-64 (ISO polynomial) of the seed string, so
//! the same seed gives the same result on every run. The plugin then draws from Go's
//! `math/rand`; this draws from SplitMix64, so the values differ from the plugin's.

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

/// Numbers from a seed (`Some`), or from the operating system's randomness (`None`, where
/// the plugin seeds with the time).
pub enum Rng {
    Seeded(u64),
    Os,
}

impl Rng {
    pub fn new(seed: Option<&str>) -> Rng {
        match seed {
            Some(s) if !s.is_empty() => Rng::Seeded(crc64_iso(s.as_bytes())),
            _ => Rng::Os,
        }
    }

    fn next(&mut self) -> Result<u64> {
        match self {
            Rng::Seeded(state) => {
                *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = *state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                Ok(z ^ (z >> 31))
            }
            Rng::Os => {
                let b = crate::kit::random_bytes(8)?;
                Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
            }
        }
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> Result<u64> {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next()?;
            if x < zone {
                return Ok(x % n);
            }
        }
    }

    /// A random permutation of `0..n` (`rand.Perm`).
    pub fn perm(&mut self, n: usize) -> Result<Vec<usize>> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i as u64 + 1)? as usize;
            p.swap(i, j);
        }
        Ok(p)
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
    fn a_seed_gives_the_same_numbers_and_another_seed_others() {
        let draw = |s| {
            let mut r = Rng::new(Some(s));
            (0..8).map(|_| r.below(1000).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(draw("a"), draw("a"));
        assert_ne!(draw("a"), draw("b"));
        let mut r = Rng::new(Some("x"));
        let mut p = r.perm(10).unwrap();
        assert_eq!(Rng::new(Some("x")).perm(10).unwrap(), p);
        p.sort_unstable();
        assert_eq!(p, (0..10).collect::<Vec<_>>());
    }
}
