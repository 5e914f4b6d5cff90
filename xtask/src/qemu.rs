//! The generic QEMU runner: starts `qemu-system-*` with an arch's machine
//! arguments, a kernel, an initrd and a command line; streams the console
//! to the terminal while recording it; enforces a timeout; and maps the
//! exit code to the kernel's verdict through the arch's [`Exit`] device.

use crate::arches::{Arch, Exit};
use crate::cmd::{Cmd, Result, describe};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// What to boot.
pub struct Run<'a> {
    /// The arch whose QEMU and exit device to use.
    pub arch: &'a Arch,
    /// The kernel ELF.
    pub kernel: &'a Path,
    /// The `-bios` firmware, if any.
    pub firmware: Option<&'a Path>,
    /// The cpio newc initrd, if any.
    pub initrd: Option<&'a Path>,
    /// The kernel command line.
    pub cmdline: &'a str,
    /// Extra QEMU arguments (e.g. `-icount`).
    pub extra_args: &'a [&'a str],
    /// Kill QEMU after this long; `None` waits for ever.
    pub timeout: Option<Duration>,
    /// Give QEMU the terminal's stdin (for `cargo xtask qemu`, so Ctrl-A X
    /// works); otherwise stdin is empty.
    pub interactive: bool,
    /// Type these bytes on the guest's console, then an end of file
    /// ([`EOF`]), once the console has shown the text (at the earliest
    /// [`READY`]: the kernel's UART receive interrupt is routed by then; a
    /// byte sent during the firmware's boot may be lost). Overrides
    /// `interactive`'s stdin.
    pub input: Option<(String, Vec<u8>)>,
}

/// The console's end of file, as a terminal sends it (`^D`); the example
/// kernels' `read(0)` returns 0 at it.
pub const EOF: u8 = 0x04;
/// The line an example kernel prints once its devices are set up.
pub const READY: &str = "[kernel] tick ";

/// How a boot ended.
pub struct Ended {
    /// Everything the guest printed on the console.
    pub transcript: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall-clock time of the boot.
    pub elapsed: Duration,
}

/// The verdict of a boot.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// QEMU exited with the arch's success code.
    Success,
    /// QEMU exited otherwise.
    Failure {
        /// The exit code (`None`: killed by a signal).
        code: Option<i32>,
        /// How it ended and what the exit device means.
        why: String,
    },
    /// QEMU was killed at the timeout.
    TimedOut(Duration),
}

impl Verdict {
    /// The verdict for QEMU's exit `code` (`None`: killed by a signal,
    /// described by `how`) under `exit`.
    pub fn from_exit(exit: Exit, code: Option<i32>, how: String) -> Verdict {
        match code {
            Some(code) if code == exit.success => Verdict::Success,
            _ => Verdict::Failure {
                code,
                why: format!(
                    "QEMU ended with {how}; success is exit code {} ({})",
                    exit.success, exit.device
                ),
            },
        }
    }
}

impl Run<'_> {
    /// The QEMU command for this run.
    fn command(&self) -> Cmd {
        let q = &self.arch.qemu;
        let mut cmd = Cmd::new(q.binary).args(q.args);
        if let Some(firmware) = self.firmware {
            cmd = cmd.arg(q.firmware_flag).arg(firmware);
        }
        cmd = cmd.arg(q.kernel_flag).arg(self.kernel);
        if let Some(initrd) = self.initrd {
            cmd = cmd.arg(q.initrd_flag).arg(initrd);
        }
        cmd.arg(q.cmdline_flag)
            .arg(self.cmdline)
            .args(self.extra_args)
    }

    /// Boots, streaming the console, and waits for the end or the timeout.
    pub fn run(&self) -> Result<Ended> {
        let cmd = self.command();
        println!("+ {}", cmd.shown());
        let (cmd, stdin) = match (&self.input, self.interactive) {
            (Some(_), true) => (cmd, Stdio::piped()),
            (Some(_), false) => (cmd.own_process_group(), Stdio::piped()),
            (None, true) => (cmd, Stdio::inherit()),
            (None, false) => (cmd.own_process_group(), Stdio::null()),
        };
        let start = Instant::now();
        let mut child = cmd.spawn_piped(stdin)?;
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut typed = self.input.clone().map(|(after, mut bytes)| {
            bytes.push(EOF);
            (after, child.stdin.take().expect("stdin is piped"), bytes)
        });
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (eof_tx, eof_rx) = mpsc::channel();
        let record = Arc::clone(&seen);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                let mut term = std::io::stdout().lock();
                // A closed terminal must not stop the recording.
                let _ = term.write_all(&buf[..n]).and_then(|()| term.flush());
                let mut seen = record.lock().unwrap_or_else(|p| p.into_inner());
                seen.extend_from_slice(&buf[..n]);
                let shown = |text: &str| String::from_utf8_lossy(&seen).contains(text);
                let ready = matches!(&typed, Some((after, ..)) if shown(READY) && shown(after));
                drop(seen);
                if ready && let Some((_, mut stdin, bytes)) = typed.take() {
                    // Kept open (moved into a thread that ends with QEMU's
                    // console): QEMU may treat a closed stdin as a hang-up.
                    let _ = stdin.write_all(&bytes).and_then(|()| stdin.flush());
                    thread::spawn(move || {
                        let _keep = stdin;
                        thread::sleep(Duration::from_secs(3600));
                    });
                }
            }
            let _ = eof_tx.send(());
        });
        let verdict = loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| crate::cmd::Error::new(format!("waiting for QEMU: {e}")))?
            {
                break Verdict::from_exit(self.arch.exit, status.code(), describe(status));
            }
            if let Some(limit) = self.timeout.filter(|&limit| start.elapsed() >= limit) {
                stop(&mut child, !self.interactive);
                break Verdict::TimedOut(limit);
            }
            thread::sleep(Duration::from_millis(20));
        };
        // The console ends when QEMU does, unless something it started
        // still holds the pipe: then take what arrived and leave the reader.
        let _ = eof_rx.recv_timeout(Duration::from_secs(2));
        let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        Ok(Ended {
            transcript: String::from_utf8_lossy(&seen).into_owned(),
            verdict,
            elapsed: start.elapsed(),
        })
    }
}

/// Ends a QEMU that overran: SIGTERM first, so that with `-nographic` it
/// restores the terminal it put in raw mode, then SIGKILL after a grace
/// period. With `group`, the signals go to its whole process group, so
/// nothing it started lives on holding the console pipe. Errors only mean
/// it already exited; `wait` reaps it either way.
fn stop(child: &mut Child, group: bool) {
    let target = if group {
        format!("-{}", child.id())
    } else {
        child.id().to_string()
    };
    let signal = |sig: &str| {
        let sent = Command::new("kill")
            .args([sig, "--", &target])
            .stderr(Stdio::null())
            .status();
        sent.is_ok_and(|status| status.success())
    };
    let term = signal("-TERM");
    let grace = Instant::now();
    while term && grace.elapsed() < Duration::from_secs(2) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    if group {
        let _ = signal("-KILL");
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isa_debug_exit_33_is_success_and_other_codes_fail_naming_the_device() {
        assert_eq!(
            Verdict::from_exit(Exit::ISA_DEBUG_EXIT, Some(33), String::new()),
            Verdict::Success
        );
        let Verdict::Failure {
            code: Some(35),
            why,
        } = Verdict::from_exit(Exit::ISA_DEBUG_EXIT, Some(35), "exit code 35".into())
        else {
            panic!("35 accepted");
        };
        assert!(
            why.contains("exit code 35") && why.contains("isa-debug-exit"),
            "{why}"
        );
    }

    #[test]
    fn sifive_test_exit_0_is_success_and_signal_death_fails() {
        assert_eq!(
            Verdict::from_exit(Exit::SIFIVE_TEST, Some(0), String::new()),
            Verdict::Success
        );
        assert!(matches!(
            Verdict::from_exit(Exit::SIFIVE_TEST, None, "killed by signal 9".into()),
            Verdict::Failure { code: None, .. }
        ));
    }
}

/// The runner driven by `sh` in place of QEMU: the flags it appends become
/// the script's positional parameters.
#[cfg(test)]
mod runner_tests {
    use super::*;

    /// An arch whose "QEMU" is `sh` running `script`.
    const fn fake(script: &'static [&'static str]) -> Arch {
        crate::arches::fake("fake", "sh", script)
    }

    fn run_with(
        arch: &Arch,
        timeout_ms: u64,
        firmware: Option<&str>,
        initrd: Option<&str>,
    ) -> Ended {
        let run = Run {
            arch,
            kernel: Path::new("kernel.elf"),
            firmware: firmware.map(Path::new),
            initrd: initrd.map(Path::new),
            cmdline: "trace cpu_limit=5",
            extra_args: &["-icount", "shift=0"],
            timeout: Some(Duration::from_millis(timeout_ms)),
            interactive: false,
            input: None,
        };
        run.run().unwrap()
    }

    #[test]
    fn input_is_typed_only_after_the_kernel_and_the_awaited_line_showed() {
        const TYPIST: Arch = fake(&[
            "-c",
            "echo '[kernel] tick 10 ms'; sleep 0.2; echo waiting; IFS= read -r line; echo \"got $line\"; exit 33",
            "sh",
        ]);
        let run = Run {
            arch: &TYPIST,
            kernel: Path::new("kernel.elf"),
            firmware: None,
            initrd: None,
            cmdline: "",
            extra_args: &[],
            timeout: Some(Duration::from_secs(10)),
            interactive: false,
            input: Some(("waiting".to_owned(), b"hi\n".to_vec())),
        };
        let ended = run.run().unwrap();
        assert_eq!(ended.verdict, Verdict::Success, "{}", ended.transcript);
        assert!(ended.transcript.contains("got hi"), "{}", ended.transcript);
    }

    fn run(arch: &Arch, timeout_ms: u64) -> Ended {
        run_with(arch, timeout_ms, None, Some("initrd.cpio"))
    }

    const ECHO_ARGS: Arch = fake(&["-c", "printf '%s|' \"$@\"; echo; echo done; exit 33", "sh"]);

    #[test]
    fn console_is_recorded_and_flags_reach_the_machine_in_order() {
        let ended = run(&ECHO_ARGS, 10_000);
        assert_eq!(ended.verdict, Verdict::Success);
        assert_eq!(
            ended.transcript,
            "-kernel|kernel.elf|-initrd|initrd.cpio|-append|trace cpu_limit=5|-icount|shift=0|\ndone\n"
        );
    }

    #[test]
    fn firmware_comes_before_the_kernel_and_an_absent_initrd_has_no_flag() {
        let ended = run_with(&ECHO_ARGS, 10_000, Some("sbi.elf"), None);
        assert_eq!(
            ended.transcript.lines().next(),
            Some("-bios|sbi.elf|-kernel|kernel.elf|-append|trace cpu_limit=5|-icount|shift=0|")
        );
    }

    #[test]
    fn a_hung_machine_is_killed_at_the_timeout() {
        static ARCH: Arch = fake(&["-c", "echo booting; exec sleep 30", "sh"]);
        let ended = run(&ARCH, 300);
        assert_eq!(ended.verdict, Verdict::TimedOut(Duration::from_millis(300)));
        assert_eq!(ended.transcript, "booting\n");
        assert!(ended.elapsed < Duration::from_secs(10));
    }

    #[test]
    fn a_machine_ignoring_sigterm_whose_child_holds_the_console_still_ends() {
        static ARCH: Arch = fake(&["-c", "trap '' TERM; echo up; sleep 30; exit 33", "sh"]);
        let ended = run(&ARCH, 200);
        assert_eq!(ended.verdict, Verdict::TimedOut(Duration::from_millis(200)));
        assert_eq!(ended.transcript, "up\n");
        assert!(
            ended.elapsed < Duration::from_secs(10),
            "{:?}",
            ended.elapsed
        );
    }

    #[test]
    fn a_failure_exit_code_is_a_failure_verdict_with_the_code() {
        static ARCH: Arch = fake(&["-c", "exit 35", "sh"]);
        assert!(matches!(
            run(&ARCH, 10_000).verdict,
            Verdict::Failure { code: Some(35), .. }
        ));
    }
}
