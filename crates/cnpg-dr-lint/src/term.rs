//! How the command behaves towards the terminal and pipes: writing to a
//! stdout whose reader may stop early.

use std::io::{self, Write};

/// Writes `bytes` to stdout. A reader that stops early (`cnpg-dr rules |
/// head -1`) is not an error: the rest is dropped quietly, as a program
/// killed by SIGPIPE would drop it (Rust ignores SIGPIPE, so without this
/// the write fails with EPIPE and `println!` would panic).
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    quiet_broken_pipe(out.write_all(bytes).and_then(|()| out.flush()))
}

/// A broken pipe is success; any other error stays an error.
pub fn quiet_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_not_an_error_but_other_failures_are() {
        let broken = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(quiet_broken_pipe(Err(broken)).is_ok());
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(quiet_broken_pipe(Err(full)).is_err());
    }
}
