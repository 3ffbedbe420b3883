//! JSON-lines framing with a size limit, and decoding with errors that name
//! the problem. Nothing a client sends can make a reader allocate without
//! bound or panic.

use std::io::BufRead;

use crate::ClientMessage;

/// Largest request line the agent accepts (requests are small; paths at most).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Why a line could not be read or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The line exceeds the limit; the rest of it was skipped, so the
    /// connection can go on with the next line.
    TooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// Not UTF-8.
    NotUtf8,
    /// Not JSON, or JSON of the wrong shape: serde's message (what and where).
    Invalid(String),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLong { limit } => write!(
                f,
                "message longer than {limit} bytes; send one JSON object per line"
            ),
            FrameError::NotUtf8 => write!(f, "message is not UTF-8"),
            FrameError::Invalid(why) => write!(f, "invalid request: {why}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Reads one `\n`-terminated line of at most `limit` bytes (without the
/// newline). `Ok(None)` at end of stream. An over-long line is consumed to
/// its end and reported as [`FrameError::TooLong`]; a partial last line
/// (stream ended mid-message) is `Ok(None)`: it was never complete.
pub fn read_line(
    reader: &mut impl BufRead,
    limit: usize,
) -> std::io::Result<Option<Result<String, FrameError>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + chunk.len() > limit {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if too_long {
        return Ok(Some(Err(FrameError::TooLong { limit })));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(
        String::from_utf8(line).map_err(|_| FrameError::NotUtf8),
    ))
}

/// Decodes a request line.
pub fn decode_request(line: &str) -> Result<ClientMessage, FrameError> {
    serde_json::from_str(line).map_err(|e| FrameError::Invalid(e.to_string()))
}

/// The `id` of a request line that could not be decoded, if the line is a
/// JSON object with a numeric `id`: the error reply then names it.
pub fn request_id(line: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()?
        .get("id")?
        .as_u64()
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use super::*;
    use crate::Request;

    fn lines(input: &[u8], limit: usize) -> Vec<Result<String, FrameError>> {
        // A tiny buffer exercises lines spanning several fills.
        let mut r = BufReader::with_capacity(7, Cursor::new(input.to_vec()));
        std::iter::from_fn(|| read_line(&mut r, limit).unwrap()).collect()
    }

    #[test]
    fn lines_are_split_and_an_unfinished_last_line_is_dropped() {
        assert_eq!(
            lines(b"a\r\nbc\n\nhalf", 100),
            vec![Ok("a".into()), Ok("bc".into()), Ok(String::new())]
        );
    }

    #[test]
    fn an_oversized_line_is_skipped_and_the_next_one_still_reads() {
        let mut input = vec![b'x'; 1000];
        input.extend_from_slice(b"\nok\n");
        assert_eq!(
            lines(&input, 16),
            vec![Err(FrameError::TooLong { limit: 16 }), Ok("ok".into())]
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        assert_eq!(lines(b"\xff\xfe\n", 16), vec![Err(FrameError::NotUtf8)]);
    }

    #[test]
    fn requests_round_trip_and_bad_ones_name_the_problem() {
        let msg = decode_request(r#"{"id":7,"cmd":"apply","path":"/tmp/libu.so"}"#).unwrap();
        assert_eq!(
            msg,
            ClientMessage {
                id: 7,
                request: Request::Apply {
                    path: "/tmp/libu.so".into(),
                    watch: None,
                }
            }
        );
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(decode_request(&text).unwrap(), msg);

        let unknown = decode_request(r#"{"id":1,"cmd":"explode"}"#)
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown variant `explode`"), "{unknown}");
        let wrong_type = decode_request(r#"{"id":1,"cmd":"abort","update":"three"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            wrong_type.contains("invalid type: string \"three\", expected u64"),
            "{wrong_type}"
        );
        let malformed = decode_request(r#"{"id":1,"cmd":"#).unwrap_err().to_string();
        assert!(
            malformed.starts_with("invalid request: EOF while parsing"),
            "{malformed}"
        );
        let missing = decode_request(r#"{"id":1,"cmd":"reboot"}"#)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("missing field `thread`"), "{missing}");
    }
}
