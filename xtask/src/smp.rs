//! SMP checks and figures: the same CPU-bound work on one CPU and on four.
//!
//! Four `spinner`s under `cpulimit=50` each compute until the kernel kills
//! them at 50 ticks of CPU time. On one CPU they take turns, so the run ends
//! after about 4 × 50 elapsed ticks; on four CPUs each has one, so it ends
//! after about 50 (plus the start-up of the other CPUs, during which the
//! boot CPU runs processes alone). The kernel's end-of-run line says both
//! figures: `[kernel] all 4 processes ended after T ticks on C CPUs`, where
//! T is elapsed time on the boot CPU's clock.
//!
//! `cargo xtask test smp:ARCH` checks that four CPUs take at most
//! [`MAX_SHARE_PERCENT`] of one CPU's ticks; `cargo xtask bench-qemu ARCH`
//! prints both figures as its SMP row.

use crate::arches::{Arch, Entry, Initrd, Outcome};
use crate::boot::{self, Source};
use crate::cmd::{Error, Result};
use std::time::Duration;

/// The example kernels that start their other CPUs.
pub const ARCHES: &[&str] = &["x86_64", "riscv64", "riscv32", "aarch64"];

/// The four CPU-bound processes.
const SPINNERS: Initrd = Initrd::Entries(&[
    Entry::Named("spinner-1", "spinner"),
    Entry::Named("spinner-2", "spinner"),
    Entry::Named("spinner-3", "spinner"),
    Entry::Named("spinner-4", "spinner"),
]);
const CMDLINE: &str = "cpulimit=50";
/// The most, in percent, that four CPUs may take of one CPU's elapsed
/// ticks: a quarter, and slack for starting the other CPUs.
pub const MAX_SHARE_PERCENT: u64 = 40;
const TIMEOUT: Duration = Duration::from_secs(300);

/// Elapsed ticks of the four spinners on `cpus` CPUs of `arch`.
pub fn elapsed_ticks(arch: &Arch, cpus: u32) -> Result<u64> {
    let prepared = boot::prepare(arch, &[], Source::Spec(SPINNERS), "spinners")?;
    let n = cpus.to_string();
    let args = ["-smp", n.as_str()];
    let ended = prepared.run(arch, CMDLINE, &args, Some(TIMEOUT)).run()?;
    let what = format!("{} four spinners on {cpus} CPUs", arch.name);
    boot::judge(&ended.verdict, Outcome::Success, arch.exit)
        .map_err(|why| Error::new(format!("{what}: {why}")))?;
    let killed = ended
        .transcript
        .lines()
        .filter(|l| l.contains("killed: CPU time limit (50 ticks)"))
        .count();
    if killed != 4 {
        return Err(Error::new(format!(
            "{what}: {killed} of 4 spinners killed at the CPU-time limit"
        )));
    }
    let (ticks, online) = end_of_run(&ended.transcript)
        .ok_or_else(|| Error::new(format!("{what}: no end-of-run line")))?;
    if online != cpus {
        return Err(Error::new(format!("{what}: the kernel says {online} CPUs")));
    }
    Ok(ticks)
}

/// The ticks and CPUs of the end-of-run line in `transcript`.
fn end_of_run(transcript: &str) -> Option<(u64, u32)> {
    transcript.lines().find_map(|line| {
        let rest = line.split(" processes ended after ").nth(1)?;
        let mut words = rest.split_whitespace();
        let ticks = words.next()?.parse().ok()?;
        let (_, on, cpus) = (words.next()?, words.next()?, words.next()?);
        (on == "on").then_some(())?;
        Some((ticks, cpus.parse().ok()?))
    })
}

/// Elapsed ticks of the four spinners on one CPU and on four.
pub fn one_and_four(arch: &Arch) -> Result<(u64, u64)> {
    Ok((elapsed_ticks(arch, 1)?, elapsed_ticks(arch, 4)?))
}

/// `cargo xtask test smp:ARCH`: four CPUs end the spinners in at most
/// [`MAX_SHARE_PERCENT`] of one CPU's elapsed ticks.
pub fn check(arch: &Arch) -> Result {
    let (one, four) = one_and_four(arch)?;
    println!(
        "{}: four spinners end after {one} ticks on 1 CPU, {four} on 4",
        arch.name
    );
    if four * 100 > one * MAX_SHARE_PERCENT {
        return Err(Error::new(format!(
            "{}: four spinners took {four} ticks on 4 CPUs, more than {MAX_SHARE_PERCENT}% of the {one} on 1",
            arch.name
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_run_reads_ticks_and_cpus() {
        let t = "x\n[kernel] all 4 processes ended after 57 ticks on 4 CPUs; powering off\n";
        assert_eq!(end_of_run(t), Some((57, 4)));
        let t = "[kernel] all 1 processes ended after 9 ticks on 1 CPU; powering off";
        assert_eq!(end_of_run(t), Some((9, 1)));
        assert_eq!(
            end_of_run("[kernel] all 4 processes ended after 57 ticks"),
            None
        );
    }
}
