//! What a function's code can reach: `console.log`, `require` of `crypto`, `querystring`,
//! `buffer` (2.0) and `cloudfront` (2.0), the 1.0 string methods, and nothing else: no
//! timers, network or files exist in the engine (boa has none), and `eval` and the `Function`
//! constructor throw (the host hooks refuse to compile strings).
//!
//! Natives do the byte work (hashes, encodings, the store); `prelude.js` builds the modules'
//! JavaScript faces on them, once per instance.

use base64::Engine;
use boa_engine::object::builtins::JsArray;
use boa_engine::{Context, JsNativeError, JsResult, JsValue, Source, js_string};
use hmac::{KeyInit, Mac};
use sha2::Digest;

use crate::host::{CALL, MAX_LOG_BYTES, bytes_value, native};
use crate::runtime::Runtime;

const PRELUDE: &str = include_str!("prelude.js");

/// Installs the natives and the prelude in a fresh context.
pub(crate) fn install(ctx: &mut Context, runtime: Runtime) -> JsResult<()> {
    native(ctx, "__cf_log", 1, log)?;
    native(ctx, "__cf_digest", 4, digest)?;
    native(ctx, "__cf_encode", 2, encode)?;
    native(ctx, "__cf_decode", 2, decode)?;
    native(ctx, "__cf_kvs", 2, kvs)?;
    let version = match runtime {
        Runtime::Js1 => 1,
        Runtime::Js2 => 2,
    };
    ctx.eval(Source::from_bytes(
        format!("var __cf_runtime = {version};\n{PRELUDE}").as_bytes(),
    ))?;
    Ok(())
}

fn text(v: Option<&JsValue>, ctx: &mut Context) -> JsResult<String> {
    match v {
        None => Ok(String::new()),
        Some(v) if v.is_undefined() => Ok(String::new()),
        Some(v) => Ok(v.to_string(ctx)?.to_std_string_escaped()),
    }
}

/// The bytes of a string (UTF-8) or of an array-like of byte values.
fn bytes_of(v: Option<&JsValue>, ctx: &mut Context) -> JsResult<Vec<u8>> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    if let Some(s) = v.as_string() {
        return Ok(s.to_std_string_escaped().into_bytes());
    }
    let Some(o) = v.as_object() else {
        return Ok(text(Some(v), ctx)?.into_bytes());
    };
    let len = o.get(js_string!("length"), ctx)?.to_length(ctx)?;
    if len > 4 * 1024 * 1024 {
        return Err(JsNativeError::range().with_message("data too large").into());
    }
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        out.push(o.get(i, ctx)?.to_uint8(ctx)?);
    }
    Ok(out)
}

fn log(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let line = text(args.first(), ctx)?;
    CALL.with(|c| {
        let mut c = c.borrow_mut();
        let room = MAX_LOG_BYTES.saturating_sub(c.log_bytes);
        if room == 0 {
            return;
        }
        let mut l = line;
        if l.len() > room {
            let mut cut = room;
            while !l.is_char_boundary(cut) {
                cut -= 1;
            }
            l.truncate(cut);
        }
        c.log_bytes += l.len() + 1;
        c.logs.push(l);
    });
    Ok(JsValue::undefined())
}

fn encode_bytes(bytes: &[u8], enc: &str, ctx: &mut Context) -> JsResult<JsValue> {
    let s = match enc {
        "hex" => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        "base64" => base64::engine::general_purpose::STANDARD.encode(bytes),
        "base64url" => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        "latin1" | "binary" => bytes.iter().map(|b| char::from(*b)).collect(),
        "utf8" | "utf-8" => String::from_utf8_lossy(bytes).into_owned(),
        "" => return Ok(bytes_value(bytes, ctx)),
        other => {
            return Err(JsNativeError::typ()
                .with_message(format!("unknown encoding: {other}"))
                .into());
        }
    };
    Ok(JsValue::from(js_string!(s)))
}

/// `__cf_digest(algorithm, data, encoding, key)`: a hash, or an HMAC when `key` is given.
fn digest(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let alg = text(args.first(), ctx)?;
    let data = bytes_of(args.get(1), ctx)?;
    let enc = text(args.get(2), ctx)?;
    let key = match args.get(3) {
        Some(k) if !k.is_undefined() => Some(bytes_of(Some(k), ctx)?),
        _ => None,
    };
    let bad_key = || JsNativeError::typ().with_message("bad HMAC key");
    let out: Vec<u8> = match (alg.as_str(), key) {
        ("md5", None) => md5::Md5::digest(&data).to_vec(),
        ("sha1", None) => sha1::Sha1::digest(&data).to_vec(),
        ("sha256", None) => sha2::Sha256::digest(&data).to_vec(),
        ("md5", Some(k)) => {
            let mut m = hmac::Hmac::<md5::Md5>::new_from_slice(&k).map_err(|_| bad_key())?;
            m.update(&data);
            m.finalize().into_bytes().to_vec()
        }
        ("sha1", Some(k)) => {
            let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(&k).map_err(|_| bad_key())?;
            m.update(&data);
            m.finalize().into_bytes().to_vec()
        }
        ("sha256", Some(k)) => {
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&k).map_err(|_| bad_key())?;
            m.update(&data);
            m.finalize().into_bytes().to_vec()
        }
        (other, _) => {
            return Err(JsNativeError::typ()
                .with_message(format!("Digest method not supported: {other}"))
                .into());
        }
    };
    encode_bytes(&out, &enc, ctx)
}

/// `__cf_encode(string, encoding)`: the bytes a string stands for, as an array.
fn encode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let s = text(args.first(), ctx)?;
    let enc = text(args.get(1), ctx)?;
    let bad = |what: &str| JsNativeError::typ().with_message(format!("invalid {what} string"));
    let bytes = match enc.as_str() {
        "" | "utf8" | "utf-8" => s.into_bytes(),
        "hex" => {
            let b = s.as_bytes();
            let mut out = Vec::with_capacity(b.len() / 2);
            for pair in b.chunks_exact(2) {
                let hi = (pair[0] as char).to_digit(16);
                let lo = (pair[1] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => break,
                }
            }
            out
        }
        "base64" | "base64url" => {
            let cleaned: String = s
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '=')
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(cleaned)
                .map_err(|_| bad("base64"))?
        }
        "latin1" | "binary" | "ascii" => s.chars().map(|c| c as u32 as u8).collect(),
        other => {
            return Err(JsNativeError::typ()
                .with_message(format!("unknown encoding: {other}"))
                .into());
        }
    };
    Ok(bytes_value(&bytes, ctx))
}

/// `__cf_decode(bytes, encoding)`: bytes as a string in an encoding.
fn decode(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = bytes_of(args.first(), ctx)?;
    let enc = text(args.get(1), ctx)?;
    let enc = if enc.is_empty() {
        "utf8".to_owned()
    } else {
        enc
    };
    encode_bytes(&bytes, &enc, ctx)
}

/// `__cf_kvs(op, key)`: the associated store, read as a running function reads it.
fn kvs(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let op = text(args.first(), ctx)?;
    let key = text(args.get(1), ctx)?;
    let view = CALL.with(|c| c.borrow().kvs.clone());
    let Some(view) = view else {
        return Err(JsNativeError::error()
            .with_message("no key value store is associated with this function")
            .into());
    };
    match op.as_str() {
        "get" => Ok(match view.items.get(&key) {
            Some(v) => JsValue::from(js_string!(v)),
            None => JsValue::null(),
        }),
        "exists" => Ok(JsValue::from(view.items.get(&key).is_some())),
        "meta" => {
            let arr = JsArray::new(ctx)?;
            arr.push(js_string!(view.created.as_str()), ctx)?;
            arr.push(js_string!(view.modified.as_str()), ctx)?;
            arr.push(view.items.len() as u32, ctx)?;
            Ok(arr.into())
        }
        other => Err(JsNativeError::typ()
            .with_message(format!("unknown store operation {other}"))
            .into()),
    }
}
