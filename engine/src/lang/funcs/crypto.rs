//! Functions of the crypto family, after Terraform's `lang/funcs/crypto.go`: hashes of
//! strings and of files (hex or Base64), `bcrypt` (Go's `x/crypto/bcrypt`: `$2a$`, cost 10
//! by default and for any cost below 4), `rsadecrypt` (PKCS #1 v1.5), `uuid` (128 random
//! bits, no version bits, as `hashicorp/go-uuid`) and `uuidv5`.

mod rsa_key;
mod uuid5;

use super::encoding::gobase64;
use super::filesystem::{open_file, read_all};
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

pub(super) fn functions() -> Vec<Function> {
    vec![
        hash_fn("md5", "str", |_, a, _| Ok(Value::string(hex::encode(Md5::digest(arg_bytes(a)))))),
        hash_fn("sha1", "str", |_, a, _| Ok(Value::string(hex::encode(Sha1::digest(arg_bytes(a)))))),
        hash_fn("sha256", "str", |_, a, _| Ok(Value::string(hex::encode(Sha256::digest(arg_bytes(a)))))),
        hash_fn("sha512", "str", |_, a, _| Ok(Value::string(hex::encode(Sha512::digest(arg_bytes(a)))))),
        hash_fn("base64sha256", "str", |_, a, _| Ok(Value::string(gobase64::encode(&Sha256::digest(arg_bytes(a)))))),
        hash_fn("base64sha512", "str", |_, a, _| Ok(Value::string(gobase64::encode(&Sha512::digest(arg_bytes(a)))))),
        hash_fn("filemd5", "path", |c, a, _| file_hash(c, a, |b| hex::encode(Md5::digest(b)))),
        hash_fn("filesha1", "path", |c, a, _| file_hash(c, a, |b| hex::encode(Sha1::digest(b)))),
        hash_fn("filesha256", "path", |c, a, _| file_hash(c, a, |b| hex::encode(Sha256::digest(b)))),
        hash_fn("filesha512", "path", |c, a, _| file_hash(c, a, |b| hex::encode(Sha512::digest(b)))),
        hash_fn("filebase64sha256", "path", |c, a, _| file_hash(c, a, |b| gobase64::encode(&Sha256::digest(b)))),
        hash_fn("filebase64sha512", "path", |c, a, _| file_hash(c, a, |b| gobase64::encode(&Sha512::digest(b)))),
        Function {
            name: "bcrypt",
            params: vec![Param::new("str", Type::String)],
            var_param: Some(Param::new("cost", Type::Number)),
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: bcrypt_impl,
        },
        Function {
            name: "rsadecrypt",
            params: vec![Param::new("ciphertext", Type::String), Param::new("privatekey", Type::String)],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: rsa_key::rsadecrypt,
        },
        Function {
            name: "uuid",
            params: Vec::new(),
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: uuid_impl,
        },
        Function {
            name: "uuidv5",
            params: vec![Param::new("namespace", Type::String), Param::new("name", Type::String)],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: uuid5::uuidv5,
        },
    ]
}

/// A function of one string parameter (no nulls, unknowns or marks reach it) to a string.
fn hash_fn(name: &'static str, param: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new(param, Type::String)],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

fn arg_bytes(args: &[Value]) -> &[u8] {
    args[0].as_str().unwrap_or_default().as_bytes()
}

/// Terraform's `makeFileHashFunction`: the file opened as `openFile` does, errors as Go's.
fn file_hash(ctx: &FuncCtx<'_>, args: &[Value], enc: fn(&[u8]) -> String) -> Result<Value, FuncError> {
    let path = args[0].as_str().unwrap_or_default();
    let (f, full) = open_file(ctx, path).map_err(|e| FuncError::other(e.into_message()))?;
    let data = read_all(f, &full).map_err(FuncError::other)?;
    Ok(Value::string(enc(&data)))
}

fn bcrypt_impl(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let mut cost: i64 = 10;
    if let Some(c) = args.get(1) {
        cost = c.as_i64().ok_or_else(|| {
            FuncError::other("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
        })?;
    }
    if args.len() > 2 {
        return Err(FuncError::other("bcrypt() takes no more than two arguments"));
    }
    let password = arg_bytes(args);
    let fail = |m: &str| FuncError::other(format!("error occured generating password {m}"));
    if password.len() > 72 {
        return Err(fail("bcrypt: password length exceeds 72 bytes"));
    }
    // Go's bcrypt takes any cost below the minimum as the default.
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return Err(fail(&format!("crypto/bcrypt: cost {cost} is outside allowed range (4,31)")));
    }
    let parts = bcrypt::hash_with_result(password, cost as u32).map_err(|e| fail(&e.to_string()))?;
    Ok(Value::string(parts.format_for_version(bcrypt::Version::TwoA)))
}

/// `hashicorp/go-uuid`'s `GenerateUUID`: 16 random bytes in the 8-4-4-4-12 layout.
fn uuid_impl(_: &FuncCtx<'_>, _: &[Value], _: &Type) -> Result<Value, FuncError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| FuncError::other(format!("failed to read random bytes: {e}")))?;
    let h = hex::encode(b);
    Ok(Value::string(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])))
}

#[cfg(test)]
mod tests;
