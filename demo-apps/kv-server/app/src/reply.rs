//! What a command answers, and how it is written on the wire (RESP2).

/// A reply to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`: a status line.
    Status(&'static str),
    /// `-ERR ...`: the whole line after `-` (it starts with the error code).
    Error(String),
    /// `:42`.
    Integer(i64),
    /// `$5\r\nhello`, or `$-1` (`None`: no such key).
    Bulk(Option<Vec<u8>>),
    /// `*2 ...`: replies in a row.
    Array(Vec<Reply>),
}

impl Reply {
    /// `+OK`.
    pub const OK: Reply = Reply::Status("OK");

    /// An error reply `-ERR <message>`.
    pub fn err(message: impl std::fmt::Display) -> Reply {
        Reply::Error(format!("ERR {message}"))
    }

    /// The error for a command given the wrong number of arguments.
    pub fn wrong_arity(name: &[u8]) -> Reply {
        Reply::err(format_args!(
            "wrong number of arguments for '{}' command",
            String::from_utf8_lossy(name).to_lowercase()
        ))
    }

    /// The error for an argument that should be an integer.
    pub fn not_an_integer() -> Reply {
        Reply::err("value is not an integer or out of range")
    }

    /// The error for a malformed option list.
    pub fn syntax_error() -> Reply {
        Reply::err("syntax error")
    }

    /// Appends the reply's RESP2 encoding to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Status(s) => line(out, b'+', s.as_bytes()),
            Reply::Error(e) => {
                // An error is one line: a newline inside would split it.
                let clean: Vec<u8> = e
                    .bytes()
                    .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b })
                    .collect();
                line(out, b'-', &clean)
            }
            Reply::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Reply::Bulk(None) => out.extend_from_slice(b"$-1\r\n"),
            Reply::Bulk(Some(v)) => {
                line(out, b'$', v.len().to_string().as_bytes());
                out.extend_from_slice(v);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Array(items) => {
                line(out, b'*', items.len().to_string().as_bytes());
                for item in items {
                    item.write_to(out);
                }
            }
        }
    }
}

fn line(out: &mut Vec<u8>, kind: u8, body: &[u8]) {
    out.push(kind);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(r: Reply) -> String {
        let mut out = Vec::new();
        r.write_to(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_kind_encodes() {
        assert_eq!(wire(Reply::OK), "+OK\r\n");
        assert_eq!(wire(Reply::err("x\ny")), "-ERR x y\r\n");
        assert_eq!(wire(Reply::Integer(-3)), ":-3\r\n");
        assert_eq!(wire(Reply::Bulk(None)), "$-1\r\n");
        assert_eq!(wire(Reply::Bulk(Some(b"hi".to_vec()))), "$2\r\nhi\r\n");
        assert_eq!(
            wire(Reply::Array(vec![Reply::Integer(1), Reply::Bulk(None)])),
            "*2\r\n:1\r\n$-1\r\n"
        );
    }
}
