//! Progress of one target among many, on stderr: each line starts with
//! the target's name, so concurrent targets stay readable.

use std::io::{self, Write};

/// Writes whole lines to stderr, each prefixed with `[target] `.
pub struct Prefixed {
    prefix: String,
    pending: Vec<u8>,
}

impl Prefixed {
    /// Lines of `target`.
    pub fn new(target: &str) -> Prefixed {
        Prefixed {
            prefix: format!("[{target}] "),
            pending: Vec::new(),
        }
    }

    /// Writes one line now.
    pub fn say(&mut self, line: &str) {
        let _ = writeln!(self, "{line}");
    }
}

impl Write for Prefixed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let mut err = io::stderr().lock();
            err.write_all(self.prefix.as_bytes())?;
            err.write_all(&line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.push(b'\n');
            self.write(&[])?;
        }
        Ok(())
    }
}

impl Drop for Prefixed {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
