//! A small deterministic PRNG (xoshiro256** seeded through splitmix64).
//! Std has no seedable generator and the output must be byte-identical for a seed
//! on every platform, so we carry our own.

pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// An independent stream per (seed, purpose), so adding draws to one part of the
    /// generator never shifts the numbers another part sees.
    pub(crate) fn stream(seed: u64, purpose: u64) -> Rng {
        let mut x = seed ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut s = [0u64; 4];
        for v in s.iter_mut() {
            *v = splitmix(&mut x);
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything visible here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Index drawn with the given weights (small tables only: linear scan).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// A bijection of `0..n` that looks random: a mixing permutation of the
/// enclosing power of two, cycle-walked back into range. Counters go in, unique
/// but scattered numbers (IDs, phone numbers, point codes) come out.
pub(crate) fn scatter(x: u64, n: u64, salt: u64) -> u64 {
    let k = 64 - n.saturating_sub(1).leading_zeros();
    let mask = if k >= 64 { u64::MAX } else { (1u64 << k) - 1 };
    let s = (k / 2).max(1);
    let salt = splitmix(&mut salt.clone());
    let mut y = x;
    loop {
        // each step is a bijection of the k-bit space
        y = y.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(salt) & mask;
        y ^= y >> s;
        y = y.wrapping_mul(0xBF58_476D_1CE4_E5B9) & mask;
        y ^= y >> s;
        y = y
            .wrapping_mul(0x94D0_49BB_1331_11EB)
            .wrapping_add(salt >> 17)
            & mask;
        y ^= y >> s;
        if y < n {
            return y;
        }
    }
}
