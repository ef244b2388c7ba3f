//! CloudFront's URL-safe base64: standard base64 with `+` written `-`, `=` written `_` and `/`
//! written `~` (Developer Guide, "Create a signed URL using a canned policy", step "Remove white
//! space ... base64-encode ... replace characters that are invalid in a URL query string").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// CloudFront's URL-safe base64 of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = STANDARD.encode(bytes);
    let swapped: String = text
        .drain(..)
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            other => other,
        })
        .collect();
    swapped
}

/// Decodes CloudFront's URL-safe base64. The standard alphabet's `+`, `=` and `/` are accepted
/// too (CloudFront's own characters map back to them first); whitespace is not.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '=',
            '~' => '/',
            other => other,
        })
        .collect();
    STANDARD.decode(standard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_characters_are_swapped_both_ways() {
        // 0xfb 0xff encodes to "+/8=" in standard base64.
        assert_eq!(encode(&[0xfb, 0xff]), "-~8_");
        assert_eq!(decode("-~8_").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert!(decode("not base64!").is_err());
    }
}
