//! Reading commands from the bytes a client sent (RESP2 requests).
//!
//! A client sends either an array of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`,
//! what redis-cli and redis-benchmark send) or an inline command, a line of
//! words separated by spaces (`PING\r\n`, what a human types into netcat).
//! [`parse_command`] looks at the start of a buffer and says whether a whole
//! command is there: the connection loop keeps reading until it is, and
//! parses again after each command, so several commands in one read
//! (pipelining) and one command over several reads both work.

/// One command: its name and arguments, as the client sent them.
pub type Args = Vec<Vec<u8>>;

/// The most arguments one command may have.
const MAX_ARGS: usize = 1024 * 1024;

/// The largest bulk string accepted (512 MiB, the limit Redis documents).
const MAX_BULK: usize = 512 * 1024 * 1024;

/// The longest inline command line accepted.
const MAX_INLINE: usize = 64 * 1024;

/// What the start of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command, and how many bytes of the buffer it took.
    Command(Args, usize),
    /// An empty inline line (a bare `\r\n`): skip this many bytes.
    Skip(usize),
    /// Not a whole command yet: read more.
    Incomplete,
}

/// A request that breaks the protocol: the connection answers
/// `-ERR Protocol error: <this>` and closes.
#[derive(Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the command at the start of `buf`, if it is all there.
pub fn parse_command(buf: &[u8]) -> Result<Parsed, ProtocolError> {
    match buf.first() {
        None => Ok(Parsed::Incomplete),
        Some(b'*') => parse_array(buf),
        Some(_) => parse_inline(buf),
    }
}

/// The line that starts at `from` (without its `\r\n`) and the index just
/// after it, or `None` if no `\r\n` has arrived yet.
fn line_at(buf: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(from..)?;
    let end = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((&rest[..end], from + end + 2))
}

/// A decimal length after a type byte (`*3`, `$5`); `-1` is allowed.
fn length(line: &[u8], what: &str) -> Result<i64, ProtocolError> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| ProtocolError(format!("invalid {what} length")))
}

fn parse_array(buf: &[u8]) -> Result<Parsed, ProtocolError> {
    let Some((header, mut at)) = line_at(buf, 0) else {
        return too_long_or_incomplete(buf, "multibulk");
    };
    let count = length(&header[1..], "multibulk")?;
    if count <= 0 {
        // `*0` and `*-1` carry no command: skip them.
        return Ok(Parsed::Skip(at));
    }
    let count = count as usize;
    if count > MAX_ARGS {
        return Err(ProtocolError("invalid multibulk length".into()));
    }
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let Some((header, body)) = line_at(buf, at) else {
            return too_long_or_incomplete(&buf[at..], "bulk");
        };
        if header.first() != Some(&b'$') {
            let got = header.first().map_or('?', |&b| b as char);
            return Err(ProtocolError(format!("expected '$', got '{got}'")));
        }
        let len = length(&header[1..], "bulk")?;
        if len < 0 || len as usize > MAX_BULK {
            return Err(ProtocolError("invalid bulk length".into()));
        }
        let end = body + len as usize;
        if buf.len() < end + 2 {
            return Ok(Parsed::Incomplete);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(ProtocolError("bulk string not followed by CRLF".into()));
        }
        args.push(buf[body..end].to_vec());
        at = end + 2;
    }
    Ok(Parsed::Command(args, at))
}

/// Waiting for a header line is fine until it is unreasonably long.
fn too_long_or_incomplete(pending: &[u8], what: &str) -> Result<Parsed, ProtocolError> {
    if pending.len() > MAX_INLINE {
        Err(ProtocolError(format!("too big {what} count string")))
    } else {
        Ok(Parsed::Incomplete)
    }
}

fn parse_inline(buf: &[u8]) -> Result<Parsed, ProtocolError> {
    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > MAX_INLINE {
            return Err(ProtocolError("too big inline request".into()));
        }
        return Ok(Parsed::Incomplete);
    };
    let line = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
    let args: Args = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    if args.is_empty() {
        Ok(Parsed::Skip(end + 1))
    } else {
        Ok(Parsed::Command(args, end + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> Args {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn a_whole_array_is_one_command() {
        let buf = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assert_eq!(
            parse_command(buf),
            Ok(Parsed::Command(cmd(&["GET", "k"]), buf.len()))
        );
    }

    #[test]
    fn every_strict_prefix_is_incomplete() {
        let buf = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        for n in 0..buf.len() {
            assert_eq!(parse_command(&buf[..n]), Ok(Parsed::Incomplete), "{n}");
        }
    }

    #[test]
    fn pipelined_commands_parse_one_after_another() {
        let buf = b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
        let Ok(Parsed::Command(first, used)) = parse_command(buf) else {
            panic!()
        };
        assert_eq!(first, cmd(&["PING"]));
        assert_eq!(
            parse_command(&buf[used..]),
            Ok(Parsed::Command(cmd(&["ECHO", "hi"]), buf.len() - used))
        );
    }

    #[test]
    fn binary_values_keep_their_bytes() {
        let buf = b"*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n";
        assert_eq!(
            parse_command(buf),
            Ok(Parsed::Command(
                vec![b"ECHO".to_vec(), b"a\r\nb".to_vec()],
                buf.len()
            ))
        );
    }

    #[test]
    fn inline_commands_split_on_spaces() {
        assert_eq!(
            parse_command(b"SET  k v\r\nrest"),
            Ok(Parsed::Command(cmd(&["SET", "k", "v"]), 10))
        );
        assert_eq!(parse_command(b"\r\n"), Ok(Parsed::Skip(2)));
        assert_eq!(parse_command(b"PING"), Ok(Parsed::Incomplete));
    }

    #[test]
    fn broken_frames_are_protocol_errors() {
        assert!(parse_command(b"*x\r\n").is_err());
        assert!(parse_command(b"*1\r\n+PING\r\n").is_err());
        assert!(parse_command(b"*1\r\n$4\r\nPINGxx").is_err());
        assert!(parse_command(b"*1\r\n$-5\r\n").is_err());
    }
}
