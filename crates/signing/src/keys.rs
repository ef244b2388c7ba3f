//! Keys for signed URLs and signed cookies.
//!
//! CloudFront supports signed URLs and signed cookies with RSA 2048 or ECDSA 256 (P-256) keys
//! (API Reference, "PublicKey"; Developer Guide, "Create a key pair for a signer"). A public
//! key is uploaded as a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`); the private key
//! stays with the signer, as PKCS#1 (`BEGIN RSA PRIVATE KEY`), PKCS#8 (`BEGIN PRIVATE KEY`) or,
//! for ECDSA, SEC1 (`BEGIN EC PRIVATE KEY`).
//!
//! Verification uses `ring` (RSA PKCS#1 v1.5 with SHA-1 through ring's legacy verifier, or
//! SHA-256; ECDSA P-256 with SHA-256, ASN.1 DER signatures). ring has no ECDSA verifier over
//! SHA-1, the hash a signed URL without `Hash-Algorithm=SHA256` asks for, so that one case is
//! verified with `p256` over the SHA-1 digest. Signing uses `rsa` (ring cannot sign SHA-1) and
//! `p256` (deterministic ECDSA, RFC 6979).

use std::fmt;

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::pkcs8::DecodePrivateKey as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::der::Decode as _;
use rsa::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use rsa::pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use rsa::traits::PublicKeyParts as _;
use sha1::Digest as _;
use zeroize::Zeroizing;

/// What CloudFront accepts, for error messages.
const ACCEPTED: &str = concat!(
    "CloudFront accepts RSA 2048 or ECDSA P-256 keys for signed URLs and cookies ",
    "(API Reference, \"PublicKey\")"
);

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// The kind of a key, as CloudFront names the ones it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA; CloudFront accepts only `bits == 2048`, which is all this crate builds.
    Rsa {
        /// The modulus size in bits.
        bits: u32,
    },
    /// ECDSA on NIST P-256 (prime256v1, secp256r1).
    EcdsaP256,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyKind::EcdsaP256 => f.write_str("ECDSA P-256"),
        }
    }
}

/// The hash a signature is made over: SHA-1 unless the signed URL or cookie says
/// `Hash-Algorithm=SHA256` (Developer Guide, "Code examples for creating a signature for a
/// signed URL").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Hash {
    /// SHA-1, CloudFront's default.
    #[default]
    Sha1,
    /// SHA-256, selected by `Hash-Algorithm=SHA256`.
    Sha256,
}

impl Hash {
    /// The value of the `Hash-Algorithm` parameter that selects this hash (`SHA1`, `SHA256`).
    pub fn parameter(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA1",
            Hash::Sha256 => "SHA256",
        }
    }

    /// Reads a `Hash-Algorithm` value: `SHA1` or `SHA256` (ASCII case ignored).
    pub fn from_parameter(value: &str) -> Option<Hash> {
        if value.eq_ignore_ascii_case("SHA1") {
            Some(Hash::Sha1)
        } else if value.eq_ignore_ascii_case("SHA256") {
            Some(Hash::Sha256)
        } else {
            None
        }
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
        })
    }
}

/// Why a PEM key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text holds no PEM block, or a broken one.
    #[error("not a PEM key: {0}")]
    NotPem(String),
    /// A PEM block of another kind than the one expected.
    #[error("a PEM \"{found}\" block, where {expected} was expected")]
    WrongBlock {
        /// The label found, e.g. `CERTIFICATE`.
        found: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// An encrypted PKCS#8 private key.
    #[error(
        "an encrypted private key (\"ENCRYPTED PRIVATE KEY\"): decrypt it first, e.g. with \
         `openssl pkcs8 -in KEY.pem -out plain.pem`"
    )]
    Encrypted,
    /// A well-formed key of a kind CloudFront does not accept.
    #[error("{found} key: {ACCEPTED}")]
    Unsupported {
        /// What the key is, e.g. `RSA 4096`, `ECDSA P-384`, `Ed25519`.
        found: String,
    },
    /// The DER inside the PEM block does not parse.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being read.
        what: &'static str,
        /// The parser's complaint.
        reason: String,
    },
}

fn malformed(what: &'static str, reason: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        what,
        reason: reason.to_string(),
    }
}

/// A PEM block: its label and its DER (zeroized on drop).
type PemBlock = (String, Zeroizing<Vec<u8>>);

/// The PEM blocks of `text`: (label, DER). An OpenSSL `EC PARAMETERS` block before an EC
/// private key is skipped by the callers.
fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err(KeyError::NotPem(
                "a BEGIN line without its closing dashes".into(),
            ));
        };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[start..].find(&end_marker) else {
            return Err(KeyError::NotPem(format!("no \"{end_marker}\" line")));
        };
        let block = &rest[start..start + end + end_marker.len()];
        let (decoded_label, der) = pem_rfc7468::decode_vec(block.as_bytes())
            .map_err(|error| KeyError::NotPem(format!("the {label} block: {error}")))?;
        blocks.push((decoded_label.to_owned(), Zeroizing::new(der)));
        rest = &rest[start + end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(KeyError::NotPem(
            "no \"-----BEGIN ...-----\" line; paste the whole PEM file".into(),
        ));
    }
    Ok(blocks)
}

/// Names the curve of an EC key's parameters, for an error message.
fn curve_name(oid: Option<ObjectIdentifier>) -> String {
    let Some(oid) = oid else {
        return "ECDSA (curve not named)".into();
    };
    let curve = match oid.to_string().as_str() {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.2.840.10045.3.1.1" => "P-192",
        "1.3.132.0.33" => "P-224",
        other => return format!("ECDSA (curve {other})"),
    };
    format!("ECDSA {curve}")
}

/// Names a key algorithm CloudFront does not accept, for an error message.
fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.3.101.110" => "X25519".into(),
        "1.2.840.113549.1.1.10" => "RSA-PSS".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("an algorithm with OID {other}"),
    }
}

fn parameter_oid(algorithm: &AlgorithmIdentifierRef<'_>) -> Option<ObjectIdentifier> {
    algorithm
        .parameters
        .and_then(|any| any.decode_as::<ObjectIdentifier>().ok())
}

/// The bit length of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> u32 {
    let bytes = match bytes.iter().position(|&b| b != 0) {
        Some(first) => &bytes[first..],
        None => return 0,
    };
    let whole = u32::try_from(bytes.len()).unwrap_or(u32::MAX / 8);
    whole * 8 - bytes[0].leading_zeros()
}

#[derive(Clone)]
enum PublicInner {
    /// The RSAPublicKey DER (PKCS#1), what ring's RSA verifiers take.
    Rsa(Vec<u8>),
    /// The uncompressed SEC1 point, what ring's ECDSA verifiers take, and the p256 key for the
    /// SHA-1 case.
    Ecdsa(Vec<u8>, p256::ecdsa::VerifyingKey),
}

/// A key file that could not be read or is not a key CloudFront accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct KeyFileError {
    /// The file.
    pub path: String,
    /// Why (unreadable, or the [`KeyError`]).
    pub reason: String,
}

impl PublicKey {
    /// Reads a PEM public key file (see [`PublicKey::from_pem`]). The error names the file.
    pub fn from_pem_file(path: &std::path::Path) -> Result<PublicKey, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|error| KeyFileError {
            path: path.display().to_string(),
            reason: format!("cannot read: {error}"),
        })?;
        PublicKey::from_pem(&text).map_err(|error| KeyFileError {
            path: path.display().to_string(),
            reason: error.to_string(),
        })
    }
}

/// A public key CloudFront accepts for signed URLs and cookies.
#[derive(Clone)]
pub struct PublicKey {
    kind: KeyKind,
    /// The SubjectPublicKeyInfo DER, re-encoded (a compressed EC point is stored uncompressed).
    der: Vec<u8>,
    inner: PublicInner,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Reads a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), the form CloudFront's
    /// `EncodedKey` takes, and checks that it is RSA 2048 or ECDSA P-256.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let blocks = pem_blocks(text)?;
        let (label, der) = &blocks[0];
        match label.as_str() {
            "PUBLIC KEY" => PublicKey::from_der(der),
            "RSA PUBLIC KEY" => Err(KeyError::WrongBlock {
                found: label.clone(),
                expected: concat!(
                    "\"PUBLIC KEY\" (SubjectPublicKeyInfo; convert a PKCS#1 key with ",
                    "`openssl rsa -RSAPublicKey_in -in KEY.pem -pubout`)"
                ),
            }),
            "RSA PRIVATE KEY" | "PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                Err(KeyError::WrongBlock {
                    found: label.clone(),
                    expected: concat!(
                        "a \"PUBLIC KEY\" block: this is a private key, which stays with the ",
                        "signer (`openssl pkey -in private.pem -pubout` prints its public key)"
                    ),
                })
            }
            _ => Err(KeyError::WrongBlock {
                found: label.clone(),
                expected: "a \"PUBLIC KEY\" block (SubjectPublicKeyInfo)",
            }),
        }
    }

    /// Reads a SubjectPublicKeyInfo DER.
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let spki = SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|error| malformed("SubjectPublicKeyInfo", error))?;
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| malformed("public key", "the key's BIT STRING has unused bits"))?;
        let oid = spki.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            let rsa = rsa::pkcs1::RsaPublicKeyRef::from_der(key_bytes)
                .map_err(|error| malformed("RSA public key", error))?;
            let bits = bit_length(rsa.modulus.as_bytes());
            if bits != 2048 {
                return Err(KeyError::Unsupported {
                    found: format!("RSA {bits}"),
                });
            }
            Ok(PublicKey {
                kind: KeyKind::Rsa { bits },
                der: der.to_vec(),
                inner: PublicInner::Rsa(key_bytes.to_vec()),
            })
        } else if oid == EC_PUBLIC_KEY {
            let curve = parameter_oid(&spki.algorithm);
            if curve != Some(PRIME256V1) {
                return Err(KeyError::Unsupported {
                    found: curve_name(curve),
                });
            }
            let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map_err(|error| malformed("ECDSA P-256 public key", error))?;
            Ok(PublicKey::from_p256(verifying))
        } else {
            Err(KeyError::Unsupported {
                found: algorithm_name(oid),
            })
        }
    }

    fn from_p256(verifying: p256::ecdsa::VerifyingKey) -> PublicKey {
        let point = verifying.to_sec1_point(false).as_bytes().to_vec();
        let der = p256::pkcs8::EncodePublicKey::to_public_key_der(&verifying)
            .map(|doc| doc.as_bytes().to_vec())
            .unwrap_or_default();
        PublicKey {
            kind: KeyKind::EcdsaP256,
            der,
            inner: PublicInner::Ecdsa(point, verifying),
        }
    }

    /// RSA 2048 or ECDSA P-256.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The key as PEM (`-----BEGIN PUBLIC KEY-----`, 64 columns, LF line ends).
    pub fn to_pem(&self) -> String {
        pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The key's fingerprint: the SHA-256 of its SubjectPublicKeyInfo DER, as 64 lower-case hex
    /// digits (the value `openssl pkey -pubin -outform DER | sha256sum` prints). CloudFront's
    /// console shows no fingerprint for public keys; this one lets an operator tell keys apart
    /// and match one to the file it came from.
    pub fn fingerprint(&self) -> String {
        let digest = sha2::Sha256::digest(&self.der);
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }

    /// Whether `signature` is this key's signature of `message` under `hash`: RSA PKCS#1 v1.5,
    /// or ECDSA P-256 with an ASN.1 DER signature.
    pub fn verify(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature as rs;
        match (&self.inner, hash) {
            (PublicInner::Rsa(der), Hash::Sha1) => {
                rs::UnparsedPublicKey::new(&rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, der)
                    .verify(message, signature)
                    .is_ok()
            }
            (PublicInner::Rsa(der), Hash::Sha256) => {
                rs::UnparsedPublicKey::new(&rs::RSA_PKCS1_2048_8192_SHA256, der)
                    .verify(message, signature)
                    .is_ok()
            }
            (PublicInner::Ecdsa(point, _), Hash::Sha256) => {
                rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, point)
                    .verify(message, signature)
                    .is_ok()
            }
            (PublicInner::Ecdsa(_, verifying), Hash::Sha1) => {
                let Ok(signature) = p256::ecdsa::Signature::from_der(signature) else {
                    return false;
                };
                let digest = sha1::Sha1::digest(message);
                verifying.verify_prehash(&digest, &signature).is_ok()
            }
        }
    }
}

enum PrivateInner {
    Rsa(Box<rsa::PrivateKey>),
    Ecdsa(p256::ecdsa::SigningKey),
}

/// A private key that signs URLs and cookies. Its `Debug` shows only the kind and the public
/// key's fingerprint; the key material is zeroized on drop (by `rsa` and `p256`, and the PEM's
/// decoded bytes by this crate).
pub struct PrivateKey {
    inner: PrivateInner,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.public.kind)
            .field("public_fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`), PKCS#8 (`BEGIN PRIVATE KEY`)
    /// or SEC1 (`BEGIN EC PRIVATE KEY`, with or without OpenSSL's `EC PARAMETERS` block before
    /// it), and checks that it is RSA 2048 or ECDSA P-256.
    pub fn from_pem(text: &str) -> Result<PrivateKey, KeyError> {
        let blocks = pem_blocks(text)?;
        let Some((label, der)) = blocks.iter().find(|(label, _)| label != "EC PARAMETERS") else {
            return Err(KeyError::NotPem(
                "only an \"EC PARAMETERS\" block, no private key".into(),
            ));
        };
        match label.as_str() {
            "RSA PRIVATE KEY" => {
                let key = rsa::PrivateKey::from_pkcs1_der(der)
                    .map_err(|error| malformed("PKCS#1 RSA private key", error))?;
                PrivateKey::from_rsa(key)
            }
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(der),
            "EC PRIVATE KEY" => {
                let sec1 = sec1::EcPrivateKey::from_der(der)
                    .map_err(|error| malformed("SEC1 EC private key", error))?;
                let curve = sec1
                    .parameters
                    .as_ref()
                    .and_then(|parameters| parameters.named_curve());
                if curve.is_some() && curve != Some(PRIME256V1) {
                    return Err(KeyError::Unsupported {
                        found: curve_name(curve),
                    });
                }
                let secret = p256::SecretKey::from_sec1_der(der)
                    .map_err(|error| malformed("SEC1 EC private key", error))?;
                Ok(PrivateKey::from_p256(p256::ecdsa::SigningKey::from(secret)))
            }
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
            _ => Err(KeyError::WrongBlock {
                found: label.clone(),
                expected: concat!(
                    "a private key: \"RSA PRIVATE KEY\" (PKCS#1), \"PRIVATE KEY\" (PKCS#8) ",
                    "or \"EC PRIVATE KEY\" (SEC1)"
                ),
            }),
        }
    }

    /// Reads a PEM private key file (see [`PrivateKey::from_pem`]); the file's text is zeroized
    /// once read. The error names the file.
    pub fn from_pem_file(path: &std::path::Path) -> Result<PrivateKey, KeyFileError> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|error| KeyFileError {
            path: path.display().to_string(),
            reason: format!("cannot read: {error}"),
        })?);
        PrivateKey::from_pem(&text).map_err(|error| KeyFileError {
            path: path.display().to_string(),
            reason: error.to_string(),
        })
    }

    /// Reads a PKCS#8 PrivateKeyInfo DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let info = PrivateKeyInfoRef::try_from(der)
            .map_err(|error| malformed("PKCS#8 private key", error))?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            let key = rsa::PrivateKey::from_pkcs8_der(der)
                .map_err(|error| malformed("PKCS#8 RSA private key", error))?;
            PrivateKey::from_rsa(key)
        } else if oid == EC_PUBLIC_KEY {
            let curve = parameter_oid(&info.algorithm);
            if curve != Some(PRIME256V1) {
                return Err(KeyError::Unsupported {
                    found: curve_name(curve),
                });
            }
            let signing = p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map_err(|error| malformed("PKCS#8 ECDSA P-256 private key", error))?;
            Ok(PrivateKey::from_p256(signing))
        } else {
            Err(KeyError::Unsupported {
                found: algorithm_name(oid),
            })
        }
    }

    fn from_rsa(key: rsa::PrivateKey) -> Result<PrivateKey, KeyError> {
        let bits = key.n().as_ref().bit_width();
        if bits != 2048 {
            return Err(KeyError::Unsupported {
                found: format!("RSA {bits}"),
            });
        }
        let public = rsa::pkcs8::EncodePublicKey::to_public_key_der(&key.to_public_key())
            .map_err(|error| malformed("RSA public key", error))?;
        let public = PublicKey::from_der(public.as_bytes())?;
        Ok(PrivateKey {
            inner: PrivateInner::Rsa(Box::new(key)),
            public,
        })
    }

    fn from_p256(signing: p256::ecdsa::SigningKey) -> PrivateKey {
        let public = PublicKey::from_p256(*signing.verifying_key());
        PrivateKey {
            inner: PrivateInner::Ecdsa(signing),
            public,
        }
    }

    /// A new key of `kind` (RSA 2048 with exponent 65537, or ECDSA P-256) from the operating
    /// system's random numbers. Any other kind is [`KeyError::Unsupported`].
    pub fn generate(kind: KeyKind) -> Result<PrivateKey, KeyError> {
        match kind {
            KeyKind::Rsa { bits: 2048 } => {
                let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
                    .map_err(|error| malformed("new RSA key", error))?;
                PrivateKey::from_rsa(key)
            }
            KeyKind::EcdsaP256 => {
                let rng = ring::rand::SystemRandom::new();
                let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
                    &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    &rng,
                )
                .map_err(|_| malformed("new ECDSA key", "no random numbers"))?;
                PrivateKey::from_pkcs8_der(pkcs8.as_ref())
            }
            other => Err(KeyError::Unsupported {
                found: other.to_string(),
            }),
        }
    }

    /// The key as PEM, for the operator to save where they choose: PKCS#1 (`BEGIN RSA
    /// PRIVATE KEY`, what `aws cloudfront sign` reads) for RSA, PKCS#8 for ECDSA. The text is
    /// zeroized when dropped; never log or store it on the operator's behalf.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        match &self.inner {
            PrivateInner::Rsa(key) => {
                use rsa::pkcs1::EncodeRsaPrivateKey as _;
                key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
                    .map(|pem| Zeroizing::new(pem.to_string()))
                    .map_err(|error| malformed("RSA private key", error))
            }
            PrivateInner::Ecdsa(key) => {
                use p256::pkcs8::EncodePrivateKey as _;
                key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
                    .map(|pem| Zeroizing::new(pem.to_string()))
                    .map_err(|error| malformed("ECDSA private key", error))
            }
        }
    }

    /// The matching public key (what is uploaded to CloudFront).
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// RSA 2048 or ECDSA P-256.
    pub fn kind(&self) -> KeyKind {
        self.public.kind
    }

    /// Signs `message` under `hash`: RSA PKCS#1 v1.5 (blinded), or deterministic ECDSA P-256
    /// (RFC 6979) as an ASN.1 DER signature.
    pub fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let digest: Vec<u8> = match hash {
            Hash::Sha1 => sha1::Sha1::digest(message).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(message).to_vec(),
        };
        match &self.inner {
            PrivateInner::Rsa(key) => {
                let padding = match hash {
                    Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                };
                key.sign(padding, &digest)
                    .map_err(|error| malformed("RSA signature", error))
            }
            PrivateInner::Ecdsa(key) => {
                let signature: p256::ecdsa::Signature = key
                    .sign_prehash(&digest)
                    .map_err(|error| malformed("ECDSA signature", error))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// Keys made for tests (this crate's and, through `cfg(test)`-free helpers, nobody else's).
#[cfg(test)]
pub(crate) mod test_keys {
    use std::sync::OnceLock;

    use rsa::pkcs1::EncodeRsaPrivateKey as _;

    /// One RSA 2048 private key as PKCS#1 PEM, made once per test run.
    pub fn rsa_pem() -> &'static str {
        static PEM: OnceLock<String> = OnceLock::new();
        PEM.get_or_init(|| {
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("RSA key");
            key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
                .expect("PEM")
                .to_string()
        })
    }

    /// One ECDSA P-256 private key as PKCS#8 PEM, made by ring.
    pub fn ecdsa_pem() -> &'static str {
        static PEM: OnceLock<String> = OnceLock::new();
        PEM.get_or_init(|| {
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
                &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                &rng,
            )
            .expect("ECDSA key");
            pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, pkcs8.as_ref())
                .expect("PEM")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::{ecdsa_pem, rsa_pem};
    use super::*;

    #[test]
    fn an_rsa_2048_key_signs_and_verifies_with_both_hashes() {
        let key = PrivateKey::from_pem(rsa_pem()).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 });
        assert_eq!(key.kind().to_string(), "RSA 2048");
        let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
        assert_eq!(public, key.public_key());
        for hash in [Hash::Sha1, Hash::Sha256] {
            let signature = key.sign(hash, b"policy").unwrap();
            assert!(public.verify(hash, b"policy", &signature), "{hash}");
            assert!(!public.verify(hash, b"policz", &signature), "{hash}");
            let other = if hash == Hash::Sha1 {
                Hash::Sha256
            } else {
                Hash::Sha1
            };
            assert!(!public.verify(other, b"policy", &signature), "{hash}");
        }
    }

    #[test]
    fn an_ecdsa_p256_key_signs_and_verifies_with_both_hashes() {
        let key = PrivateKey::from_pem(ecdsa_pem()).unwrap();
        assert_eq!(key.kind(), KeyKind::EcdsaP256);
        assert_eq!(key.kind().to_string(), "ECDSA P-256");
        let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
        for hash in [Hash::Sha1, Hash::Sha256] {
            let signature = key.sign(hash, b"policy").unwrap();
            assert!(public.verify(hash, b"policy", &signature), "{hash}");
            assert!(!public.verify(hash, b"policz", &signature), "{hash}");
        }
        assert!(!public.verify(Hash::Sha1, b"policy", b"not DER"));
    }

    #[test]
    fn the_fingerprint_is_the_sha256_of_the_der_in_hex() {
        let key = PrivateKey::from_pem(ecdsa_pem()).unwrap().public_key();
        let fingerprint = key.fingerprint();
        assert_eq!(fingerprint.len(), 64);
        let expected: String = sha2::Sha256::digest(key.der())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(fingerprint, expected);
        assert!(format!("{key:?}").contains(&fingerprint));
    }

    #[test]
    fn generated_keys_round_trip_through_pem() {
        for kind in [KeyKind::Rsa { bits: 2048 }, KeyKind::EcdsaP256] {
            let key = PrivateKey::generate(kind).unwrap();
            assert_eq!(key.kind(), kind);
            let again = PrivateKey::from_pem(&key.to_pem().unwrap()).unwrap();
            assert_eq!(again.public_key(), key.public_key());
        }
        assert!(
            PrivateKey::from_pem(rsa_pem())
                .unwrap()
                .to_pem()
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
        assert!(PrivateKey::generate(KeyKind::Rsa { bits: 4096 }).is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = PrivateKey::from_pem(rsa_pem()).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("Rsa { bits: 2048 }"), "{debug}");
        let body: String = rsa_pem().lines().nth(1).unwrap().chars().take(20).collect();
        assert!(!debug.contains(&body), "{debug}");
        assert!(debug.len() < 200, "{debug}");
    }

    #[test]
    fn pkcs8_rsa_and_sec1_ecdsa_are_read_too() {
        use p256::pkcs8::EncodePrivateKey as _;
        let rsa_key = rsa::PrivateKey::from_pkcs1_pem(rsa_pem()).unwrap();
        let pkcs8 = rsa_key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(
            PrivateKey::from_pem(&pkcs8).unwrap().kind(),
            KeyKind::Rsa { bits: 2048 }
        );
        let ec = p256::SecretKey::from_pkcs8_pem(ecdsa_pem()).unwrap();
        let sec1 = ec.to_sec1_der().unwrap();
        let sec1 = pem_rfc7468::encode_string("EC PRIVATE KEY", pem_rfc7468::LineEnding::LF, &sec1)
            .unwrap();
        let with_parameters = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            sec1.as_str()
        );
        let key = PrivateKey::from_pem(&with_parameters).unwrap();
        assert_eq!(key.kind(), KeyKind::EcdsaP256);
        assert_eq!(
            key.public_key(),
            PrivateKey::from_pem(ecdsa_pem()).unwrap().public_key()
        );
    }

    #[test]
    fn keys_cloudfront_refuses_are_named_with_what_is_accepted() {
        // An RSA 1024 key, made here (small enough to make quickly in a debug build).
        let small = rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
        let public = rsa::pkcs8::EncodePublicKey::to_public_key_pem(
            &small.to_public_key(),
            rsa::pkcs8::LineEnding::LF,
        )
        .unwrap();
        let error = PublicKey::from_pem(&public).unwrap_err();
        assert_eq!(
            error,
            KeyError::Unsupported {
                found: "RSA 1024".into()
            }
        );
        assert!(
            error.to_string().contains("RSA 2048 or ECDSA P-256"),
            "{error}"
        );
        let error = PrivateKey::from_pem(
            &rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(&small, rsa::pkcs8::LineEnding::LF)
                .unwrap(),
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("RSA 1024 key"), "{error}");

        // A P-384 SubjectPublicKeyInfo: the algorithm is id-ecPublicKey, the curve secp384r1.
        let mut spki = vec![0x30, 0x76, 0x30, 0x10];
        spki.extend([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
        spki.extend([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]);
        spki.extend([0x03, 0x62, 0x00, 0x04]);
        spki.extend([7u8; 96]);
        let error = PublicKey::from_der(&spki).unwrap_err();
        assert_eq!(error.to_string(), format!("ECDSA P-384 key: {ACCEPTED}"));

        // Ed25519.
        let ed = concat!(
            "-----BEGIN PUBLIC KEY-----\n",
            "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n",
            "-----END PUBLIC KEY-----\n"
        );
        assert_eq!(
            PublicKey::from_pem(ed).unwrap_err(),
            KeyError::Unsupported {
                found: "Ed25519".into()
            }
        );
    }

    #[test]
    fn wrong_blocks_and_non_pem_say_what_is_expected() {
        let private = PublicKey::from_pem(rsa_pem()).unwrap_err();
        assert!(
            matches!(private, KeyError::WrongBlock { ref found, .. } if found == "RSA PRIVATE KEY")
        );
        assert!(private.to_string().contains("-pubout"), "{private}");
        let public = PrivateKey::from_pem(
            &PrivateKey::from_pem(rsa_pem())
                .unwrap()
                .public_key()
                .to_pem(),
        )
        .unwrap_err();
        assert!(public.to_string().contains("RSA PRIVATE KEY"), "{public}");
        assert!(matches!(
            PublicKey::from_pem("hello").unwrap_err(),
            KeyError::NotPem(_)
        ));
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            PrivateKey::from_pem(encrypted).unwrap_err(),
            KeyError::Encrypted
        );
        let broken = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(matches!(
            PublicKey::from_pem(broken).unwrap_err(),
            KeyError::Malformed { .. }
        ));
    }
}
