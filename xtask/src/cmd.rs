//! Running other programs: a thin wrapper over [`std::process::Command`]
//! that remembers how to print itself, so every failure names the exact
//! command line that failed and how it ended.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// An xtask failure: one human-readable message, printed by `main`.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    /// A failure described by `msg`.
    pub fn new(msg: impl Into<String>) -> Self {
        Error(msg.into())
    }

    /// The same failure with `context` in front, e.g. the step that failed.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error(format!("{context}: {}", self.0))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of an xtask operation.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// A command to run, with its printable form.
pub struct Cmd {
    inner: Command,
    program: String,
    words: String,
    env: String,
    dir: Option<String>,
}

impl Cmd {
    /// `program` with no arguments yet.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let program = program.as_ref();
        Cmd {
            inner: Command::new(program),
            program: program.to_string_lossy().into_owned(),
            words: program.to_string_lossy().into_owned(),
            env: String::new(),
            dir: None,
        }
    }

    /// `cargo`, from PATH, so rustup picks the toolchain as for the user.
    pub fn cargo() -> Self {
        Cmd::new("cargo")
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        let arg = arg.as_ref();
        self.words.push(' ');
        self.words.push_str(&quote(&arg.to_string_lossy()));
        self.inner.arg(arg);
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Cmd::arg)
    }

    /// Sets an environment variable (shown in front of the command).
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        let value = value.as_ref();
        self.env += &format!("{key}={} ", quote(&value.to_string_lossy()));
        self.inner.env(key, value);
        self
    }

    /// Sets an environment variable unless the user already set it.
    pub fn env_default(self, key: &str, value: impl AsRef<OsStr>) -> Self {
        if std::env::var_os(key).is_some() {
            self
        } else {
            self.env(key, value)
        }
    }

    /// Runs in `dir` instead of the current directory (cargo reads its
    /// configuration from there, so the examples workspace needs this).
    pub fn dir(mut self, dir: &Path) -> Self {
        self.dir = Some(quote(&dir.to_string_lossy()));
        self.inner.current_dir(dir);
        self
    }

    /// Runs the command in a process group of its own, so that a stop can
    /// reach everything it started. Not for programs that read the
    /// terminal: a background group is stopped when it does.
    pub fn own_process_group(mut self) -> Self {
        use std::os::unix::process::CommandExt;
        self.inner.process_group(0);
        self
    }

    /// Sends stdout and stderr to `file` (created or truncated), for tools
    /// whose chatter only matters when they fail.
    pub fn log_to(mut self, file: &Path) -> Result<Self> {
        let cannot = |e| Error::new(format!("cannot create {}: {e}", file.display()));
        let out = std::fs::File::create(file).map_err(cannot)?;
        // One open file for both, so the two streams append, not overwrite.
        self.inner
            .stderr(out.try_clone().map_err(cannot)?)
            .stdout(out);
        self.words += &format!(" >{} 2>&1", quote(&file.to_string_lossy()));
        Ok(self)
    }

    /// How the command is printed: a line one could paste into a shell.
    pub fn shown(&self) -> String {
        let line = format!("{}{}", self.env, self.words);
        match &self.dir {
            Some(dir) => format!("(cd {dir} && {line})"),
            None => line,
        }
    }

    /// Runs with the terminal's stdio; fails unless it exits with 0.
    pub fn run(mut self) -> Result {
        let shown = self.shown();
        let status = self
            .inner
            .status()
            .map_err(|e| spawn_error(&self.program, &shown, e))?;
        check(&shown, status)
    }

    /// Runs and returns stdout; stderr goes to the terminal. Fails unless
    /// it exits with 0.
    pub fn read(mut self) -> Result<String> {
        let shown = self.shown();
        let out = self
            .inner
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| spawn_error(&self.program, &shown, e))?;
        check(&shown, out.status)?;
        String::from_utf8(out.stdout)
            .map_err(|_| Error::new(format!("`{shown}` printed output that is not UTF-8")))
    }

    /// Starts the command with `stdout` piped and stdin/stderr as given,
    /// for callers that watch the child themselves (the QEMU runner).
    pub fn spawn_piped(mut self, stdin: Stdio) -> Result<Child> {
        let shown = self.shown();
        self.inner
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| spawn_error(&self.program, &shown, e))
    }
}

fn check(shown: &str, status: ExitStatus) -> Result {
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "`{shown}` failed ({})",
            describe(status)
        )))
    }
}

/// "exit code 3" or "killed by signal 9".
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => status.to_string(),
    }
}

/// Why `program` (run as `shown`) did not start; names it when it is not
/// installed.
pub fn spawn_error(program: &str, shown: &str, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::new(format!(
            "cannot run `{shown}`: `{program}` is not installed or not on PATH"
        ))
    } else {
        Error::new(format!("cannot run `{shown}`: {e}"))
    }
}

/// Whether `program` is an executable file on PATH.
pub fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            dir.join(program)
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_quotes_words_a_shell_would_split_and_puts_env_and_dir_first() {
        let cmd = Cmd::new("qemu")
            .args(["-append", "trace cpulimit=5", "it's"])
            .env("RUSTFLAGS", "--cfg loom")
            .dir(Path::new("/tmp/ex"));
        assert_eq!(
            cmd.shown(),
            r"(cd /tmp/ex && RUSTFLAGS='--cfg loom' qemu -append 'trace cpulimit=5' 'it'\''s')"
        );
    }

    #[test]
    fn a_failing_command_is_named_with_its_exit_code() {
        let err = Cmd::new("sh").args(["-c", "exit 3"]).run().unwrap_err();
        assert_eq!(err.to_string(), "`sh -c 'exit 3'` failed (exit code 3)");
    }

    #[test]
    fn a_missing_program_is_named_as_not_installed() {
        let err = Cmd::new("ldex-no-such-tool").arg("x").read().unwrap_err();
        assert!(
            err.to_string()
                .contains("`ldex-no-such-tool` is not installed or not on PATH"),
            "{err}"
        );
    }

    #[test]
    fn read_returns_stdout() {
        assert_eq!(
            Cmd::new("sh").args(["-c", "echo hi"]).read().unwrap(),
            "hi\n"
        );
    }
}
