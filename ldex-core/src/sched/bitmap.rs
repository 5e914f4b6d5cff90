//! A hierarchical bitmap of runnable pids: find the next set bit at or after
//! a position in O(log64 n) word operations.
//!
//! Layer 0 has one bit per slot; each bit of layer k+1 says whether a word
//! of layer k is non-zero. The words live in the policy's own slot table
//! (one `u64` per slot is always enough: n/64 + n/64² + … + layers ≤ n), so
//! the bitmap allocates nothing.

/// The most layers: 64⁶ slots is far beyond any pid space.
const MAX_LAYERS: usize = 6;

/// A slot type that lends one word to the bitmap.
pub trait HasWord {
    /// The word stored in this slot.
    fn word(&self) -> u64;
    /// The word stored in this slot, for writing.
    fn word_mut(&mut self) -> &mut u64;
}

/// The shape of the bitmap: where each layer starts in the slot table.
#[derive(Clone, Copy, Debug)]
pub struct Bitmap {
    start: [usize; MAX_LAYERS],
    words: [usize; MAX_LAYERS],
    layers: usize,
}

impl Bitmap {
    /// The layout for `n` bits.
    pub const fn new(n: usize) -> Bitmap {
        let mut start = [0; MAX_LAYERS];
        let mut count = [0; MAX_LAYERS];
        let mut layers = 0;
        let mut words = if n == 0 { 1 } else { n.div_ceil(64) };
        let mut at = 0;
        while layers < MAX_LAYERS {
            start[layers] = at;
            count[layers] = words;
            layers += 1;
            at += words;
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
        Bitmap {
            start,
            words: count,
            layers,
        }
    }

    /// Set bit `i`.
    pub fn set<T: HasWord>(&self, t: &mut [T], mut i: usize) {
        for layer in 0..self.layers {
            let w = t[self.start[layer] + i / 64].word_mut();
            let was = *w;
            *w |= 1 << (i % 64);
            if was != 0 {
                return;
            }
            i /= 64;
        }
    }

    /// Clear bit `i`.
    pub fn clear<T: HasWord>(&self, t: &mut [T], mut i: usize) {
        for layer in 0..self.layers {
            let w = t[self.start[layer] + i / 64].word_mut();
            *w &= !(1 << (i % 64));
            if *w != 0 {
                return;
            }
            i /= 64;
        }
    }

    /// The first set bit at or after `i`.
    pub fn next_from<T: HasWord>(&self, t: &[T], i: usize) -> Option<usize> {
        // Climb until a word has a set bit at or after the position.
        let mut pos = i;
        let mut layer = 0;
        let found = loop {
            if layer == self.layers {
                return None;
            }
            if pos / 64 >= self.words[layer] {
                return None;
            }
            let bits = t[self.start[layer] + pos / 64].word() & (!0u64 << (pos % 64));
            if bits != 0 {
                break (pos / 64) * 64 + bits.trailing_zeros() as usize;
            }
            // Nothing left in this word: look from the next word on.
            pos = pos / 64 + 1;
            layer += 1;
        };
        // Descend, taking the lowest set bit of each word below.
        let mut pos = found;
        while layer > 0 {
            layer -= 1;
            let w = t[self.start[layer] + pos].word();
            pos = pos * 64 + w.trailing_zeros() as usize;
        }
        Some(pos)
    }

    /// The first set bit at or after `i`, wrapping around to 0.
    pub fn next_cyclic<T: HasWord>(&self, t: &[T], i: usize) -> Option<usize> {
        self.next_from(t, i).or_else(|| self.next_from(t, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Default)]
    struct W(u64);
    impl HasWord for W {
        fn word(&self) -> u64 {
            self.0
        }
        fn word_mut(&mut self) -> &mut u64 {
            &mut self.0
        }
    }

    #[test]
    fn next_from_crosses_words_and_layers() {
        const N: usize = 10_000;
        let b = Bitmap::new(N);
        let mut t = [W(0); N];
        assert_eq!(b.next_from(&t, 0), None);
        for i in [3, 64, 4095, 4096, 9999] {
            b.set(&mut t, i);
        }
        assert_eq!(b.next_from(&t, 0), Some(3));
        assert_eq!(b.next_from(&t, 4), Some(64));
        assert_eq!(b.next_from(&t, 65), Some(4095));
        assert_eq!(b.next_from(&t, 4097), Some(9999));
        b.clear(&mut t, 9999);
        assert_eq!(b.next_from(&t, 4097), None);
        assert_eq!(b.next_cyclic(&t, 4097), Some(3));
        b.clear(&mut t, 64);
        assert_eq!(b.next_from(&t, 4), Some(4095));
    }

    #[test]
    fn tiny_bitmap_fits_one_word() {
        let b = Bitmap::new(1);
        let mut t = [W(0); 1];
        b.set(&mut t, 0);
        assert_eq!(b.next_cyclic(&t, 1), Some(0));
    }
}
