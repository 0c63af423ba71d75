//! The entropy-coding half of Go's `compress/flate` writer: Huffman code construction
//! (`huffman_code.go`, length-limited by the same package-merge variant) and the block
//! writer (`huffman_bit_writer.go`) choosing stored, fixed or dynamic blocks by the same
//! size estimates, so that the output is Go's, bit for bit.

pub(super) const MAX_NUM_LIT: usize = 286;
const OFFSET_CODE_COUNT: usize = 30;
const END_BLOCK_MARKER: usize = 256;
const LENGTH_CODES_START: usize = 257;
const CODEGEN_CODE_COUNT: usize = 19;
const BAD_CODE: u8 = 255;
pub(super) const MAX_STORE_BLOCK_SIZE: usize = 65535;

const LENGTH_EXTRA_BITS: [u8; 29] =
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const LENGTH_BASE: [u32; 29] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 255];
const OFFSET_EXTRA_BITS: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const OFFSET_BASE: [u32; 30] = [
    0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0006, 0x0008, 0x000c, 0x0010, 0x0018, 0x0020, 0x0030, 0x0040, 0x0060,
    0x0080, 0x00c0, 0x0100, 0x0180, 0x0200, 0x0300, 0x0400, 0x0600, 0x0800, 0x0c00, 0x1000, 0x1800, 0x2000, 0x3000,
    0x4000, 0x6000,
];
const CODEGEN_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// A token: a literal byte, or a match of `length - 3` and `offset - 1`.
#[derive(Clone, Copy)]
pub(super) enum Token {
    Literal(u8),
    Match { xlength: u32, xoffset: u32 },
    EndBlock,
}

fn length_code(xlength: u32) -> usize {
    LENGTH_BASE.iter().rposition(|&b| b <= xlength).unwrap_or(0)
}

fn offset_code(xoffset: u32) -> usize {
    OFFSET_BASE.iter().rposition(|&b| b <= xoffset).unwrap_or(0)
}

fn reverse_bits(number: u16, len: u16) -> u16 {
    (number << (16 - len)).reverse_bits()
}

#[derive(Clone)]
struct Encoder {
    code: Vec<u16>,
    len: Vec<u16>,
}

impl Encoder {
    fn new(size: usize) -> Encoder {
        Encoder { code: vec![0; size], len: vec![0; size] }
    }

    fn fixed_literal() -> Encoder {
        let mut h = Encoder::new(MAX_NUM_LIT);
        for ch in 0..MAX_NUM_LIT as u16 {
            let (bits, size) = match ch {
                0..=143 => (ch + 48, 8),
                144..=255 => (ch + 400 - 144, 9),
                256..=279 => (ch - 256, 7),
                _ => (ch + 192 - 280, 8),
            };
            h.code[ch as usize] = reverse_bits(bits, size);
            h.len[ch as usize] = size;
        }
        h
    }

    fn fixed_offset() -> Encoder {
        let mut h = Encoder::new(30);
        for i in 0..30 {
            h.code[i] = reverse_bits(i as u16, 5);
            h.len[i] = 5;
        }
        h
    }

    fn bit_length(&self, freq: &[i32]) -> i64 {
        freq.iter().enumerate().filter(|(_, f)| **f != 0).map(|(i, f)| i64::from(*f) * i64::from(self.len[i])).sum()
    }

    /// The number of literals of each bit length (package-merge, as Go computes it).
    fn bit_counts(list: &mut Vec<(u16, i32)>, mut max_bits: i32) -> Vec<i32> {
        #[derive(Clone, Copy, Default)]
        struct Level {
            level: i32,
            last_freq: i32,
            next_char_freq: i32,
            next_pair_freq: i32,
            needed: i32,
        }
        let n = list.len() as i32;
        list.push((u16::MAX, i32::MAX));
        if max_bits > n - 1 {
            max_bits = n - 1;
        }
        let mut levels = [Level::default(); 16];
        let mut leaf_counts = [[0i32; 16]; 16];
        for level in 1..=max_bits {
            let l = level as usize;
            levels[l] = Level {
                level,
                last_freq: list[1].1,
                next_char_freq: list[2].1,
                next_pair_freq: list[0].1 + list[1].1,
                needed: 0,
            };
            leaf_counts[l][l] = 2;
            if level == 1 {
                levels[l].next_pair_freq = i32::MAX;
            }
        }
        levels[max_bits as usize].needed = 2 * n - 4;
        let mut level = max_bits as usize;
        loop {
            if levels[level].next_pair_freq == i32::MAX && levels[level].next_char_freq == i32::MAX {
                levels[level].needed = 0;
                levels[level + 1].next_pair_freq = i32::MAX;
                level += 1;
                continue;
            }
            let prev_freq = levels[level].last_freq;
            if levels[level].next_char_freq < levels[level].next_pair_freq {
                let n = leaf_counts[level][level] + 1;
                levels[level].last_freq = levels[level].next_char_freq;
                leaf_counts[level][level] = n;
                levels[level].next_char_freq = list[n as usize].1;
            } else {
                levels[level].last_freq = levels[level].next_pair_freq;
                let lower = leaf_counts[level - 1];
                leaf_counts[level][..level].copy_from_slice(&lower[..level]);
                levels[levels[level].level as usize - 1].needed = 2;
            }
            levels[level].needed -= 1;
            if levels[level].needed == 0 {
                if levels[level].level == max_bits {
                    break;
                }
                let up = levels[level].level as usize + 1;
                levels[up].next_pair_freq = prev_freq + levels[level].last_freq;
                level += 1;
            } else {
                while levels[level - 1].needed > 0 {
                    level -= 1;
                }
            }
        }
        let mut bit_count = vec![0i32; max_bits as usize + 1];
        let counts = leaf_counts[max_bits as usize];
        for (bits, level) in (1..).zip((1..=max_bits as usize).rev()) {
            bit_count[bits] = counts[level] - counts[level - 1];
        }
        list.pop();
        bit_count
    }

    /// Go's `huffmanEncoder.generate`.
    fn generate(&mut self, freq: &[i32], max_bits: i32) {
        let mut list: Vec<(u16, i32)> = Vec::with_capacity(freq.len() + 1);
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 {
                list.push((i as u16, f));
            } else {
                self.len[i] = 0;
            }
        }
        if list.len() <= 2 {
            for (i, &(lit, _)) in list.iter().enumerate() {
                self.code[lit as usize] = i as u16;
                self.len[lit as usize] = 1;
            }
            return;
        }
        list.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let bit_count = Encoder::bit_counts(&mut list, max_bits);
        let mut code: u16 = 0;
        let mut rest = &mut list[..];
        for (n, &bits) in bit_count.iter().enumerate() {
            code <<= 1;
            if n == 0 || bits == 0 {
                continue;
            }
            let at = rest.len() - bits as usize;
            let (head, chunk) = rest.split_at_mut(at);
            chunk.sort_by_key(|x| x.0);
            for &(lit, _) in chunk.iter() {
                self.code[lit as usize] = reverse_bits(code, n as u16);
                self.len[lit as usize] = n as u16;
                code = code.wrapping_add(1);
            }
            rest = head;
        }
    }
}

/// Go's `huffmanBitWriter`, writing whole bytes as they complete (the same bit stream).
pub(super) struct BitWriter {
    pub out: Vec<u8>,
    bits: u64,
    nbits: u32,
    literal_freq: Vec<i32>,
    offset_freq: Vec<i32>,
    codegen_freq: [i32; CODEGEN_CODE_COUNT],
    codegen: Vec<u8>,
    literal_enc: Encoder,
    offset_enc: Encoder,
    codegen_enc: Encoder,
    fixed_literal: Encoder,
    fixed_offset: Encoder,
    huff_offset: Encoder,
}

impl BitWriter {
    pub(super) fn new(out: Vec<u8>) -> BitWriter {
        let mut huff_offset = Encoder::new(OFFSET_CODE_COUNT);
        let mut f = vec![0; OFFSET_CODE_COUNT];
        f[0] = 1;
        huff_offset.generate(&f, 15);
        BitWriter {
            out,
            bits: 0,
            nbits: 0,
            literal_freq: vec![0; MAX_NUM_LIT],
            offset_freq: vec![0; OFFSET_CODE_COUNT],
            codegen_freq: [0; CODEGEN_CODE_COUNT],
            codegen: vec![0; MAX_NUM_LIT + OFFSET_CODE_COUNT + 1],
            literal_enc: Encoder::new(MAX_NUM_LIT),
            offset_enc: Encoder::new(OFFSET_CODE_COUNT),
            codegen_enc: Encoder::new(CODEGEN_CODE_COUNT),
            fixed_literal: Encoder::fixed_literal(),
            fixed_offset: Encoder::fixed_offset(),
            huff_offset,
        }
    }

    fn write_bits(&mut self, b: u32, nb: u32) {
        self.bits |= u64::from(b) << self.nbits;
        self.nbits += nb;
        while self.nbits >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits -= 8;
        }
    }

    fn write_code(&mut self, code: u16, len: u16) {
        self.write_bits(u32::from(code), u32::from(len));
    }

    /// Pads the pending bits to a byte.
    pub(super) fn flush(&mut self) {
        if self.nbits > 0 {
            self.out.push(self.bits as u8);
        }
        self.bits = 0;
        self.nbits = 0;
    }

    fn write_bytes(&mut self, bytes: &[u8]) {
        self.flush();
        self.out.extend_from_slice(bytes);
    }

    pub(super) fn write_stored_header(&mut self, length: usize, eof: bool) {
        self.write_bits(u32::from(eof), 3);
        self.flush();
        self.write_bits(length as u32, 16);
        self.write_bits(u32::from(!(length as u16)), 16);
    }

    fn generate_codegen(&mut self, num_literals: usize, num_offsets: usize, use_huff_offset: bool) {
        self.codegen_freq = [0; CODEGEN_CODE_COUNT];
        let off = if use_huff_offset { &self.huff_offset } else { &self.offset_enc };
        let cg = &mut self.codegen;
        for (c, &l) in cg.iter_mut().zip(&self.literal_enc.len[..num_literals]) {
            *c = l as u8;
        }
        for (c, &l) in cg[num_literals..].iter_mut().zip(&off.len[..num_offsets]) {
            *c = l as u8;
        }
        cg[num_literals + num_offsets] = BAD_CODE;
        let mut size = cg[0];
        let mut count: i32 = 1;
        let mut out = 0;
        let mut in_index = 1;
        while size != BAD_CODE {
            let next = cg[in_index];
            in_index += 1;
            if next == size {
                count += 1;
                continue;
            }
            if size != 0 {
                cg[out] = size;
                out += 1;
                self.codegen_freq[size as usize] += 1;
                count -= 1;
                while count >= 3 {
                    let n = count.min(6);
                    cg[out] = 16;
                    cg[out + 1] = (n - 3) as u8;
                    out += 2;
                    self.codegen_freq[16] += 1;
                    count -= n;
                }
            } else {
                while count >= 11 {
                    let n = count.min(138);
                    cg[out] = 18;
                    cg[out + 1] = (n - 11) as u8;
                    out += 2;
                    self.codegen_freq[18] += 1;
                    count -= n;
                }
                if count >= 3 {
                    cg[out] = 17;
                    cg[out + 1] = (count - 3) as u8;
                    out += 2;
                    self.codegen_freq[17] += 1;
                    count = 0;
                }
            }
            count -= 1;
            while count >= 0 {
                cg[out] = size;
                out += 1;
                self.codegen_freq[size as usize] += 1;
                count -= 1;
            }
            size = next;
            count = 1;
        }
        cg[out] = BAD_CODE;
    }

    fn dynamic_size(&self, use_huff_offset: bool, extra_bits: i64) -> (i64, usize) {
        let mut num_codegens = CODEGEN_CODE_COUNT;
        while num_codegens > 4 && self.codegen_freq[CODEGEN_ORDER[num_codegens - 1]] == 0 {
            num_codegens -= 1;
        }
        let off = if use_huff_offset { &self.huff_offset } else { &self.offset_enc };
        let header = 3
            + 5
            + 5
            + 4
            + 3 * num_codegens as i64
            + self.codegen_enc.bit_length(&self.codegen_freq)
            + i64::from(self.codegen_freq[16]) * 2
            + i64::from(self.codegen_freq[17]) * 3
            + i64::from(self.codegen_freq[18]) * 7;
        let size =
            header + self.literal_enc.bit_length(&self.literal_freq) + off.bit_length(&self.offset_freq) + extra_bits;
        (size, num_codegens)
    }

    fn write_dynamic_header(&mut self, num_literals: usize, num_offsets: usize, num_codegens: usize, eof: bool) {
        self.write_bits(if eof { 5 } else { 4 }, 3);
        self.write_bits((num_literals - 257) as u32, 5);
        self.write_bits((num_offsets - 1) as u32, 5);
        self.write_bits((num_codegens - 4) as u32, 4);
        for &o in &CODEGEN_ORDER[..num_codegens] {
            self.write_bits(u32::from(self.codegen_enc.len[o]), 3);
        }
        let mut i = 0;
        loop {
            let word = self.codegen[i];
            i += 1;
            if word == BAD_CODE {
                break;
            }
            let (c, l) = (self.codegen_enc.code[word as usize], self.codegen_enc.len[word as usize]);
            self.write_code(c, l);
            let extra = match word {
                16 => 2,
                17 => 3,
                18 => 7,
                _ => continue,
            };
            self.write_bits(u32::from(self.codegen[i]), extra);
            i += 1;
        }
    }

    fn index_tokens(&mut self, tokens: &[Token]) -> (usize, usize) {
        self.literal_freq.iter_mut().for_each(|f| *f = 0);
        self.offset_freq.iter_mut().for_each(|f| *f = 0);
        for t in tokens {
            match *t {
                Token::Literal(b) => self.literal_freq[b as usize] += 1,
                Token::EndBlock => self.literal_freq[END_BLOCK_MARKER] += 1,
                Token::Match { xlength, xoffset } => {
                    self.literal_freq[LENGTH_CODES_START + length_code(xlength)] += 1;
                    self.offset_freq[offset_code(xoffset)] += 1;
                }
            }
        }
        let mut num_literals = self.literal_freq.len();
        while self.literal_freq[num_literals - 1] == 0 {
            num_literals -= 1;
        }
        let mut num_offsets = self.offset_freq.len();
        while num_offsets > 0 && self.offset_freq[num_offsets - 1] == 0 {
            num_offsets -= 1;
        }
        if num_offsets == 0 {
            self.offset_freq[0] = 1;
            num_offsets = 1;
        }
        self.literal_enc.generate(&self.literal_freq, 15);
        self.offset_enc.generate(&self.offset_freq, 15);
        (num_literals, num_offsets)
    }

    fn write_tokens(&mut self, tokens: &[Token], fixed: bool) {
        let (le, oe) = if fixed {
            (self.fixed_literal.clone(), self.fixed_offset.clone())
        } else {
            (self.literal_enc.clone(), self.offset_enc.clone())
        };
        for t in tokens {
            match *t {
                Token::Literal(b) => self.write_code(le.code[b as usize], le.len[b as usize]),
                Token::EndBlock => self.write_code(le.code[END_BLOCK_MARKER], le.len[END_BLOCK_MARKER]),
                Token::Match { xlength, xoffset } => {
                    let lc = length_code(xlength);
                    self.write_code(le.code[lc + LENGTH_CODES_START], le.len[lc + LENGTH_CODES_START]);
                    let extra = u32::from(LENGTH_EXTRA_BITS[lc]);
                    if extra > 0 {
                        self.write_bits(xlength - LENGTH_BASE[lc], extra);
                    }
                    let oc = offset_code(xoffset);
                    self.write_code(oe.code[oc], oe.len[oc]);
                    let extra = u32::from(OFFSET_EXTRA_BITS[oc]);
                    if extra > 0 {
                        self.write_bits(xoffset - OFFSET_BASE[oc], extra);
                    }
                }
            }
        }
    }

    /// Go's `writeBlock`: the smallest of stored (when `input` is given), fixed and dynamic.
    pub(super) fn write_block(&mut self, tokens: &mut Vec<Token>, eof: bool, input: Option<&[u8]>) {
        tokens.push(Token::EndBlock);
        let (num_literals, num_offsets) = self.index_tokens(tokens);
        let stored = input.filter(|i| i.len() <= MAX_STORE_BLOCK_SIZE).map(|i| (i.len() as i64 + 5) * 8);
        let mut extra_bits: i64 = 0;
        if stored.is_some() {
            for lc in LENGTH_CODES_START + 8..num_literals {
                extra_bits += i64::from(self.literal_freq[lc]) * i64::from(LENGTH_EXTRA_BITS[lc - LENGTH_CODES_START]);
            }
            for (f, &e) in self.offset_freq[..num_offsets].iter().zip(&OFFSET_EXTRA_BITS).skip(4) {
                extra_bits += i64::from(*f) * i64::from(e);
            }
        }
        let mut size = 3
            + self.fixed_literal.bit_length(&self.literal_freq)
            + self.fixed_offset.bit_length(&self.offset_freq)
            + extra_bits;
        let mut fixed = true;
        self.generate_codegen(num_literals, num_offsets, false);
        let cf = self.codegen_freq;
        self.codegen_enc.generate(&cf, 7);
        let (dynamic_size, num_codegens) = self.dynamic_size(false, extra_bits);
        if dynamic_size < size {
            size = dynamic_size;
            fixed = false;
        }
        if let (Some(ss), Some(input)) = (stored, input)
            && ss < size
        {
            self.write_stored_header(input.len(), eof);
            self.write_bytes(input);
            return;
        }
        if fixed {
            self.write_bits(if eof { 3 } else { 2 }, 3);
        } else {
            self.write_dynamic_header(num_literals, num_offsets, num_codegens, eof);
        }
        self.write_tokens(tokens, fixed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_tables() {
        assert_eq!(length_code(0), 0);
        assert_eq!(length_code(8), 8);
        assert_eq!(length_code(9), 8);
        assert_eq!(length_code(254), 27);
        assert_eq!(length_code(255), 28);
        assert_eq!(offset_code(4), 4);
        assert_eq!(offset_code(5), 4);
        assert_eq!(offset_code(32767), 29);
    }
}
