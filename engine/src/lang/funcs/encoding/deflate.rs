//! `base64gzip`'s compression: Go's `compress/gzip` writer at the default level, written,
//! flushed and closed as Terraform does, ported from Go's `compress/flate` (level 6: hash
//! chains, lazy matching, the same block boundaries and block types) so that the bytes,
//! and so the Base64 text, are Terraform's.

mod huffman;

use huffman::{BitWriter, Token};

const WINDOW_SIZE: usize = 1 << 15;
const WINDOW_MASK: usize = WINDOW_SIZE - 1;
const MIN_MATCH_LENGTH: usize = 4;
const MAX_MATCH_LENGTH: usize = 258;
const BASE_MATCH_LENGTH: usize = 3;
const BASE_MATCH_OFFSET: usize = 1;
const MAX_FLATE_BLOCK_TOKENS: usize = 1 << 14;
const HASH_BITS: u32 = 17;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (1 << HASH_BITS) - 1;
const MAX_HASH_OFFSET: usize = 1 << 24;
const HASHMUL: u32 = 0x1e35a7bd;

// Level 6 (Go's default): good, lazy, nice, chain.
const GOOD: usize = 8;
const LAZY: usize = 16;
const NICE: usize = 128;
const CHAIN: usize = 128;

fn hash4(b: &[u8]) -> u32 {
    (u32::from_be_bytes([b[0], b[1], b[2], b[3]]).wrapping_mul(HASHMUL)) >> (32 - HASH_BITS)
}

fn match_len(a: &[u8], b: &[u8], max: usize) -> usize {
    a[..max].iter().zip(&b[..max]).take_while(|(x, y)| x == y).count()
}

struct Compressor {
    w: BitWriter,
    window: Vec<u8>,
    window_end: usize,
    index: usize,
    block_start: usize,
    byte_available: bool,
    tokens: Vec<Token>,
    chain_head: isize,
    hash_head: Vec<u32>,
    hash_prev: Vec<u32>,
    hash_offset: usize,
    length: usize,
    offset: usize,
    max_insert_index: isize,
    sync: bool,
}

impl Compressor {
    fn new(out: Vec<u8>) -> Compressor {
        Compressor {
            w: BitWriter::new(out),
            window: vec![0; 2 * WINDOW_SIZE],
            window_end: 0,
            index: 0,
            block_start: 0,
            byte_available: false,
            tokens: Vec::with_capacity(MAX_FLATE_BLOCK_TOKENS + 1),
            chain_head: -1,
            hash_head: vec![0; HASH_SIZE],
            hash_prev: vec![0; WINDOW_SIZE],
            hash_offset: 1,
            length: MIN_MATCH_LENGTH - 1,
            offset: 0,
            max_insert_index: 0,
            sync: false,
        }
    }

    fn fill(&mut self, b: &[u8]) -> usize {
        if self.index >= 2 * WINDOW_SIZE - (MIN_MATCH_LENGTH + MAX_MATCH_LENGTH) {
            self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
            self.index -= WINDOW_SIZE;
            self.window_end -= WINDOW_SIZE;
            self.block_start =
                if self.block_start >= WINDOW_SIZE { self.block_start - WINDOW_SIZE } else { usize::MAX };
            self.hash_offset += WINDOW_SIZE;
            if self.hash_offset > MAX_HASH_OFFSET {
                let delta = self.hash_offset - 1;
                self.hash_offset -= delta;
                self.chain_head -= delta as isize;
                for v in self.hash_prev.iter_mut().chain(self.hash_head.iter_mut()) {
                    *v = if *v as usize > delta { (*v as usize - delta) as u32 } else { 0 };
                }
            }
        }
        let n = b.len().min(self.window.len() - self.window_end);
        self.window[self.window_end..self.window_end + n].copy_from_slice(&b[..n]);
        self.window_end += n;
        n
    }

    fn write_block(&mut self, index: usize) {
        if index > 0 {
            let input = (self.block_start <= index).then(|| self.window[self.block_start..index].to_vec());
            self.block_start = index;
            let mut tokens = std::mem::take(&mut self.tokens);
            self.w.write_block(&mut tokens, false, input.as_deref());
            tokens.clear();
            self.tokens = tokens;
        }
    }

    fn find_match(&self, pos: usize, prev_head: isize, prev_length: usize, lookahead: usize) -> Option<(usize, usize)> {
        let min_match_look = MAX_MATCH_LENGTH.min(lookahead);
        let win = &self.window[..pos + min_match_look];
        let nice = NICE.min(win.len() - pos);
        let mut tries = CHAIN;
        let mut length = prev_length;
        if length >= GOOD {
            tries >>= 2;
        }
        let mut w_end = win[pos + length];
        let w_pos = &win[pos..];
        let min_index = pos as isize - WINDOW_SIZE as isize;
        let mut found = None;
        let mut i = prev_head;
        while tries > 0 {
            let iu = i as usize;
            if w_end == win[iu + length] {
                let n = match_len(&win[iu..], w_pos, min_match_look);
                if n > length && (n > MIN_MATCH_LENGTH || pos - iu <= 4096) {
                    length = n;
                    found = Some((n, pos - iu));
                    if n >= nice {
                        break;
                    }
                    w_end = win[pos + n];
                }
            }
            if i == min_index {
                break;
            }
            i = self.hash_prev[iu & WINDOW_MASK] as isize - self.hash_offset as isize;
            if i < min_index || i < 0 {
                break;
            }
            tries -= 1;
        }
        found
    }

    fn insert_hash(&mut self, at: usize) -> u32 {
        let h = hash4(&self.window[at..at + MIN_MATCH_LENGTH]);
        let hh = &mut self.hash_head[(h & HASH_MASK) as usize];
        let prev = *hh;
        self.hash_prev[at & WINDOW_MASK] = prev;
        *hh = (at + self.hash_offset) as u32;
        prev
    }

    /// Go's `compressor.deflate` for the lazy-matching levels.
    fn deflate(&mut self) {
        if self.window_end - self.index < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH && !self.sync {
            return;
        }
        self.max_insert_index = self.window_end as isize - (MIN_MATCH_LENGTH as isize - 1);
        loop {
            let lookahead = self.window_end - self.index;
            if lookahead < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH {
                if !self.sync {
                    return;
                }
                if lookahead == 0 {
                    if self.byte_available {
                        self.tokens.push(Token::Literal(self.window[self.index - 1]));
                        self.byte_available = false;
                    }
                    if !self.tokens.is_empty() {
                        self.write_block(self.index);
                    }
                    return;
                }
            }
            if (self.index as isize) < self.max_insert_index {
                self.chain_head = self.insert_hash(self.index) as isize;
            }
            let prev_length = self.length;
            let prev_offset = self.offset;
            self.length = MIN_MATCH_LENGTH - 1;
            self.offset = 0;
            let min_index = self.index.saturating_sub(WINDOW_SIZE) as isize;
            let head = self.chain_head - self.hash_offset as isize;
            if head >= min_index
                && lookahead > prev_length
                && prev_length < LAZY
                && let Some((l, o)) = self.find_match(self.index, head, MIN_MATCH_LENGTH - 1, lookahead)
            {
                self.length = l;
                self.offset = o;
            }
            if prev_length >= MIN_MATCH_LENGTH && self.length <= prev_length {
                self.tokens.push(Token::Match {
                    xlength: (prev_length - BASE_MATCH_LENGTH) as u32,
                    xoffset: (prev_offset - BASE_MATCH_OFFSET) as u32,
                });
                let new_index = self.index + prev_length - 1;
                self.index += 1;
                while self.index < new_index {
                    if (self.index as isize) < self.max_insert_index {
                        self.insert_hash(self.index);
                    }
                    self.index += 1;
                }
                self.byte_available = false;
                self.length = MIN_MATCH_LENGTH - 1;
                if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                    self.write_block(self.index);
                }
            } else {
                if self.byte_available {
                    let i = self.index - 1;
                    self.tokens.push(Token::Literal(self.window[i]));
                    if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                        self.write_block(i + 1);
                    }
                }
                self.index += 1;
                self.byte_available = true;
            }
        }
    }

    fn write(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            self.deflate();
            let n = self.fill(b);
            b = &b[n..];
        }
    }

    fn sync_flush(&mut self) {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, false);
        self.w.flush();
        self.sync = false;
    }

    fn close(mut self) -> Vec<u8> {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, true);
        self.w.flush();
        self.w.out
    }
}

/// Go's `gzip.NewWriter` + `Write` + `Flush` + `Close` of `data` (no name, no time, OS
/// unknown).
pub(super) fn gzip(data: &[u8]) -> Vec<u8> {
    gzip_with(data, true)
}

/// Go's `gzip.NewWriter` + `Write` + `Close` of `data`, without the `Flush` (one empty stored
/// block fewer): what providers written in Go that gzip a document produce, byte for byte
/// (hashicorp/cloudinit's `rendered`). Public for the built-in providers.
pub fn go_gzip(data: &[u8]) -> Vec<u8> {
    gzip_with(data, false)
}

fn gzip_with(data: &[u8], flush: bool) -> Vec<u8> {
    let header = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut c = Compressor::new(header);
    c.write(data);
    if flush {
        c.sync_flush();
    }
    let mut out = c.close();
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::gzip;
    use crate::lang::funcs::encoding::gobase64::encode;

    /// Without the flush: hashicorp/cloudinit 2.4.0's acceptance test "gzip compression -
    /// basic content" (internal/provider/data_source_cloudinit_config_test.go), whose
    /// `rendered` is Go's gzip of this document.
    #[test]
    fn go_bytes_closed_without_flush() {
        let doc = "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\nheythere\r\n--MIMEBOUNDARY--\r\n";
        assert_eq!(
            encode(&super::go_gzip(doc.as_bytes())),
            "H4sIAAAAAAAA/2TNuwrCQBCF4X5h32FJP0YrIWLhJYVFFEQFy1xGM5DMhtkJJG8vWkjQ8sDP+XaeFVnhMnaYuLZvlLpcNG5pwGrlCt9zlcu4jrJDlm5P1+N+c75H5r3ghhLIc+IWs7k11gBMI2u+35JzeKBAyqWviJ+JWxakk+CDKw4aDxBqbJpQCnVqTUYt/jk1jlqj4K8IYM0rAAD//0u6BO3QAAAA"
        );
    }

    #[test]
    fn go_bytes() {
        assert_eq!(encode(&gzip(b"test")), "H4sIAAAAAAAA/ypJLS4BAAAA//8BAAD//wx+f9gEAAAA");
        assert_eq!(encode(&gzip(b"")), "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==");
        assert_eq!(encode(&gzip(b"123")), "H4sIAAAAAAAA/zI0MgYAAAD//wEAAP//0mNIiAMAAAA=");
    }

    fn sha256_b64gzip(data: &str) -> String {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(encode(&gzip(data.as_bytes())).as_bytes()))
    }

    fn hex7(i: usize, n: usize) -> String {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(i.to_string().as_bytes()))[..n].to_string()
    }

    /// Larger inputs (several blocks, window shifts), against Terraform's answers.
    #[test]
    fn go_bytes_for_larger_inputs() {
        let numbers: Vec<String> = (0..3000).map(|i| i.to_string()).collect();
        assert_eq!(
            sha256_b64gzip(&numbers.join(",")),
            "31a1915f6b0700174d2ce1ad8425cd6002a5d90d14bc9552b0ed9d50b3bcc1c7"
        );
        let hex: String = (0..5000).map(|i| hex7(i, 7)).collect();
        assert_eq!(sha256_b64gzip(&hex), "8f7624464c4b4ee03c175966b6f199296aa326a442be3ee05fd5d989e445cb8d");
        let lines: Vec<String> = (0..20000).map(|i| format!("line {} of the file", i % 97)).collect();
        assert_eq!(
            sha256_b64gzip(&lines.join("\n")),
            "fa8d91c679b46c9b8db375c5e16646ac9c4a5d53c165addbc7db98198faab0c8"
        );
        let mixed: String = (0..30000).map(|i| hex7(i, 1 + i % 5)).collect();
        assert_eq!(sha256_b64gzip(&mixed), "56f8722a0ee20636402183b5bfee474b51b0b7dfc12e4d36821ae11035204283");
    }
}
