//! The CJK multi-byte encodings of `ianaindex.IANA`, as x/text v0.22.0 (Terraform 1.11.4's)
//! implements them. encoding_rs provides the WHATWG index tables x/text's are generated from,
//! and the codecs that behave as x/text's do byte for byte (EUC-KR both ways; the EUC-JP and
//! Big5 decoders): checked against Terraform over every character and every one- and
//! two-byte sequence (three- and four-byte ones for EUC-JP and GB18030). The rest follow
//! x/text's own algorithms, in `japanese` and `chinese`.

mod chinese;
mod index;
mod japanese;

use encoding_rs::{BIG5, EUC_JP, EUC_KR, EncoderResult, Encoding};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::lang::funcs::encoding) enum Cjk {
    ShiftJis,
    EucJp,
    Iso2022Jp,
    EucKr,
    Gbk,
    Gb18030,
    HzGb2312,
    Big5,
}

/// Decodes with encoding_rs; `None` on a malformed sequence.
fn decode_rs(enc: &'static Encoding, b: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(b).map(|s| s.into_owned())
}

/// Encodes with encoding_rs; `None` on a character the encoding lacks.
fn encode_rs(enc: &'static Encoding, s: &str) -> Option<Vec<u8>> {
    let mut encoder = enc.new_encoder();
    let mut out = vec![0; encoder.max_buffer_length_from_utf8_without_replacement(s.len())?];
    match encoder.encode_from_utf8_without_replacement(s, &mut out, true) {
        (EncoderResult::InputEmpty, _, written) => {
            out.truncate(written);
            Some(out)
        }
        _ => None,
    }
}

impl Cjk {
    /// The bytes of `s`, or `None` if it has a character the encoding cannot represent.
    pub(in crate::lang::funcs::encoding) fn encode(self, s: &str) -> Option<Vec<u8>> {
        match self {
            Cjk::ShiftJis => japanese::shift_jis_encode(s),
            Cjk::EucJp => japanese::euc_jp_encode(s),
            Cjk::Iso2022Jp => japanese::iso2022jp_encode(s),
            Cjk::EucKr => encode_rs(EUC_KR, s),
            Cjk::Gbk => chinese::gbk_encode(s, false),
            Cjk::Gb18030 => chinese::gbk_encode(s, true),
            Cjk::HzGb2312 => chinese::hz_encode(s),
            Cjk::Big5 => chinese::big5_encode(s),
        }
    }

    /// The text of `b`, or `None` if x/text would decode some of it to U+FFFD.
    pub(in crate::lang::funcs::encoding) fn decode(self, b: &[u8]) -> Option<String> {
        match self {
            Cjk::ShiftJis => japanese::shift_jis_decode(b),
            Cjk::EucJp => decode_rs(EUC_JP, b),
            Cjk::Iso2022Jp => japanese::iso2022jp_decode(b),
            Cjk::EucKr => decode_rs(EUC_KR, b),
            Cjk::Gbk => chinese::gbk_decode(b, false),
            Cjk::Gb18030 => chinese::gbk_decode(b, true),
            Cjk::HzGb2312 => chinese::hz_decode(b),
            Cjk::Big5 => decode_rs(BIG5, b),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::funcs::fenc_testutil::*;

    fn enc(t: &str, e: &str) -> Result<String, String> {
        call("textencodebase64", vec![s(t), s(e)]).map(|v| v.as_str().unwrap().to_string())
    }

    fn dec(b: &str, e: &str) -> Result<String, String> {
        call("textdecodebase64", vec![s(b), s(e)]).map(|v| v.as_str().unwrap().to_string())
    }

    fn unrepresentable(name: &str) -> Result<String, String> {
        Err(format!(
            "Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in {name}."
        ))
    }

    fn undefined(name: &str) -> Result<String, String> {
        Err(format!(
            "Invalid value for \"source\" parameter: the given string contains symbols that are not defined for {name}."
        ))
    }

    /// Terraform 1.11.4's answers (engine/tests/conformance/expr/functions_encoding.cases).
    #[test]
    fn japanese_as_terraform() {
        assert_eq!(enc("日本語ｱｲｳ abc", "Shift_JIS").unwrap(), "k/qWe4zqsbKzIGFiYw==");
        assert_eq!(enc("ⅰ", "MS_Kanji").unwrap(), "7u8=");
        assert_eq!(enc("¥", "sHiFt_jIs"), unrepresentable("Shift_JIS"));
        assert_eq!(dec("+kA=", "Shift_JIS").unwrap(), "ⅰ");
        assert_eq!(dec("8EA=", "Shift_JIS"), undefined("Shift_JIS"));
        assert_eq!(dec("gQ==", "Shift_JIS"), undefined("Shift_JIS"));
        assert_eq!(enc("日本語ｱ", "EUC-JP").unwrap(), "xvzL3LjsjrE=");
        assert_eq!(enc("¡", "euc-jp").unwrap(), "j6LC");
        assert_eq!(enc("€", "csEUCPkdFmtJapanese"), unrepresentable("Extended_UNIX_Code_Packed_Format_for_Japanese"));
        assert_eq!(dec("j6LC", "EUC-JP").unwrap(), "¡");
        assert_eq!(enc("a日ｱb", "iso-2022-jp").unwrap(), "YRskQkZ8GyhJMRsoQmI=");
        assert_eq!(enc("a\u{1b}b", "ISO-2022-JP").unwrap(), "YRti");
        assert_eq!(enc("¡", "ISO-2022-JP"), unrepresentable("ISO-2022-JP"));
        let b64 = |s: &str| super::super::gobase64::encode(s.as_bytes());
        assert_eq!(dec(&b64("\u{1b}$(D\"B\u{1b}(B"), "ISO-2022-JP").unwrap(), "¡");
        assert_eq!(dec(&b64("\u{1b}(J\\~"), "ISO-2022-JP").unwrap(), "\\~");
        assert_eq!(dec(&b64("\u{1b}$B\na"), "ISO-2022-JP").unwrap(), "\na");
        assert_eq!(dec(&b64("\u{1b}$B"), "ISO-2022-JP").unwrap(), "");
        assert_eq!(dec(&b64("\u{1b}$B0"), "ISO-2022-JP"), undefined("ISO-2022-JP"));
        assert_eq!(dec(&b64("\u{1b}(I\n"), "ISO-2022-JP"), undefined("ISO-2022-JP"));
    }

    #[test]
    fn korean_and_chinese_as_terraform() {
        assert_eq!(enc("한국어", "EUC-KR").unwrap(), "x9Gxub7u");
        assert_eq!(enc("똠", "csEUCKR").unwrap(), "jGM=");
        assert_eq!(dec("x0E=", "EUC-KR"), undefined("EUC-KR"));
        assert_eq!(enc("中文€", "GBK").unwrap(), "1tDOxIA=");
        assert_eq!(enc("中文€", "GB18030").unwrap(), "1tDOxKLj");
        assert_eq!(enc("😀", "GBK"), unrepresentable("GBK"));
        assert_eq!(enc("😀", "gb18030").unwrap(), "lDn8Ng==");
        assert_eq!(enc("ḿ", "GB18030").unwrap(), "gTX0Nw==");
        assert_eq!(enc("\u{e000}", "GB18030").unwrap(), "gziYNw==");
        assert_eq!(enc("︐", "GB18030").unwrap(), "hDGCNg==");
        assert_eq!(enc("中", "Windows-936").unwrap(), "1tA=");
        assert_eq!(dec("gA==", "GBK").unwrap(), "€");
        assert_eq!(dec("gTX0Nw==", "GB18030").unwrap(), "ḿ");
        assert_eq!(dec("gTX0Nw==", "GBK"), undefined("GBK"));
        assert_eq!(dec("qLw=", "GB18030"), undefined("GB18030"));
        assert_eq!(dec("gTqBMA==", "GB18030").unwrap(), "㒣");
        assert_eq!(dec("hDGlMA==", "GB18030"), undefined("GB18030"));
        assert_eq!(enc("a中~b", "hz-gb-2312").unwrap(), "YX57VlB+fn59Yg==");
        assert_eq!(enc("中~文", "HZ-GB-2312").unwrap(), "fntWUH5+TkQ=");
        assert_eq!(enc("€", "HZ-GB-2312").unwrap(), "fnsiYw==");
        assert_eq!(enc("丂", "HZ-GB-2312"), unrepresentable("HZ-GB-2312"));
        let b64 = |s: &str| super::super::gobase64::encode(s.as_bytes());
        assert_eq!(dec(&b64("~{VPND~}a~~b"), "HZ-GB-2312").unwrap(), "中文a~b");
        assert_eq!(dec(&b64("a~\nb"), "HZ-GB-2312").unwrap(), "ab");
        assert_eq!(dec(&b64("~{VP"), "HZ-GB-2312").unwrap(), "中");
        assert_eq!(dec(&b64("~{V"), "HZ-GB-2312"), undefined("HZ-GB-2312"));
        assert_eq!(enc("À", "csBig5").unwrap(), "iFk=");
        assert_eq!(enc("兀", "Big5").unwrap(), "pGE=");
        assert_eq!(enc("╔", "big5").unwrap(), "+d0=");
        assert_eq!(dec("iGI=", "Big5").unwrap(), "Ê\u{304}");
        assert_eq!(dec("gEA=", "Big5"), undefined("Big5"));
    }
}
