//! The service's timestamps, integers of milliseconds since the Unix epoch,
//! as [`jiff::Timestamp`]s in the generated types (build/typed_values.rs).
//!
//! jiff rather than `std::time::SystemTime`: a `Timestamp` prints as a date
//! (`2022-01-18T11:23:01Z`) in `Debug` output and snapshots, has the same
//! range on every platform, and does arithmetic and formatting without another
//! crate; built without its time zone database, it costs the build little.
//! Decoding and encoding go through the integer, so an answer written back
//! holds the number it came with.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `#[serde(with = "crate::time::millis")]` on a `Timestamp` field.
pub(crate) mod millis {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        t.as_millisecond().serialize(s)
    }

    /// A number outside jiff's range (about ±9999 years) is no time, and
    /// fails the answer like any other value of the wrong type.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let ms = i64::deserialize(d)?;
        Timestamp::from_millisecond(ms).map_err(|_| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Signed(ms),
                &"milliseconds since the Unix epoch within ±9999 years",
            )
        })
    }

    /// The same for an optional field: `#[serde(default, with = "crate::time::millis::option")]`.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(
            t: &Option<Timestamp>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            t.map(|t| t.as_millisecond()).serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Timestamp>, D::Error> {
            #[derive(Deserialize)]
            struct Wire(#[serde(with = "super")] Timestamp);
            Ok(Option::<Wire>::deserialize(d)?.map(|Wire(t)| t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Both {
        #[serde(with = "millis")]
        at: Timestamp,
        #[serde(default, with = "millis::option")]
        maybe: Option<Timestamp>,
    }

    #[test]
    fn milliseconds_come_and_go_unchanged() {
        let text = r#"{"at":1642504981123,"maybe":null}"#;
        let both: Both = serde_json::from_str(text).unwrap();
        assert_eq!(both.at.to_string(), "2022-01-18T11:23:01.123Z");
        assert_eq!(serde_json::to_string(&both).unwrap(), text);
        let absent: Both = serde_json::from_str(r#"{"at":-1}"#).unwrap();
        assert_eq!(absent.maybe, None);
        assert_eq!(absent.at.as_millisecond(), -1);
    }

    #[test]
    fn a_number_that_is_no_time_is_an_error() {
        let err = serde_json::from_str::<Both>(r#"{"at":9223372036854775807}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("milliseconds since the Unix epoch"),
            "{err}"
        );
    }
}
