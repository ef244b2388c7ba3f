//! `string_enum!`: CloudFront's enumerations as Rust enums that read and write the API's exact
//! strings. A value outside the enumeration is a parse error that lists what would be accepted.

/// Declares an enum whose JSON form is one of a fixed set of strings.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $value:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub enum $name {
            $(
                #[doc = concat!("`", $value, "`")]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in the API's order.
            pub const VARIANTS: &'static [$name] = &[$($name::$variant),+];
            /// Every value as the API writes it.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The API's string for this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// Parses the API's string (exact match).
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::VARIANTS[0]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::enums::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s).ok_or_else(|| crate::enums::UnknownValue {
                    value: s.to_string(),
                    expected: Self::VALUES,
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A string that is not one of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an accepted value; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// What was given.
    pub value: String,
    /// What would have been accepted.
    pub expected: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use crate::shapes::{Method, MinimumProtocolVersion, ViewerProtocolPolicy};

    #[test]
    fn round_trips_the_api_strings() {
        for v in MinimumProtocolVersion::VARIANTS {
            let json = serde_json::to_string(v).unwrap();
            let back: MinimumProtocolVersion = serde_json::from_str(&json).unwrap();
            assert_eq!(*v, back);
        }
        assert_eq!(
            MinimumProtocolVersion::TLSv1_2_2021.as_str(),
            "TLSv1.2_2021"
        );
        assert_eq!(Method::GET.to_string(), "GET");
    }

    #[test]
    fn unknown_value_lists_the_accepted_ones() {
        let e = serde_json::from_str::<ViewerProtocolPolicy>(r#""https""#).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("\"https\" is not an accepted value"), "{msg}");
        assert!(msg.contains("redirect-to-https"), "{msg}");
    }
}
