//! `cargo xtask bench-qemu <arch> --profile`: where a round trip's guest
//! instructions go, function by function.
//!
//! The bench boot runs without `-icount` but with `-singlestep -d
//! exec,nochain`, so QEMU logs one `Trace` line, carrying the guest PC, per
//! executed instruction. The log goes through a FIFO and is read as it is
//! written; only the measured windows are kept. A window opens at the user
//! instruction that traps (found in the `bench` ELF by its bytes: the
//! syscall-number load right before it says which round trip it is) and
//! closes when the PC reaches the next user instruction after that trap;
//! the window counts the trapping instruction and everything the kernel,
//! the firmware and (for yield) the partner ran before the return. Of each
//! round trip's windows the shortest that recurs is kept: it is the one
//! `bench-qemu`'s smallest-of-many figure reports, without a timer tick or
//! a first-time path inside. Its PCs
//! are mapped to symbols (kernel ELF, or the user program: `bench`'s own
//! trap, every other user PC is the partner's) with `llvm-nm`.

use crate::arches::Arch;
use crate::boot::{self, Source};
use crate::cmd::{Cmd, Error, Result};
use crate::examples;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One round trip to attribute: its name and the bytes of the
/// syscall-number load and trapping instruction in `bench` (the window
/// starts at the trapping instruction, `prefix` bytes in).
struct Window {
    name: &'static str,
    bytes: Vec<u8>,
    prefix: usize,
}

/// The round trips of `arch`'s bench: x86_64 `mov eax, NR` then `syscall` or
/// `int 0x80`; RISC-V `li a7, NR` then `ecall`; none for another arch.
fn windows(arch: &Arch) -> Vec<Window> {
    let x86 = |name, nr: u8, op: [u8; 2]| Window {
        name,
        bytes: vec![0xb8, nr, 0, 0, 0, op[0], op[1]],
        prefix: 5,
    };
    // `addi a7, zero, NR` followed by `ecall`.
    let rv = |name, nr: u32| {
        let li = (nr << 20) | (17 << 7) | 0x13;
        let mut bytes = li.to_le_bytes().to_vec();
        bytes.extend_from_slice(&0x73u32.to_le_bytes());
        Window {
            name,
            bytes,
            prefix: 4,
        }
    };
    if arch.name.starts_with("x86_64") {
        vec![
            x86("null syscall, syscall", 39, [0x0f, 0x05]),
            x86("null syscall, int 0x80", 39, [0xcd, 0x80]),
            x86("yield round trip", 24, [0x0f, 0x05]),
        ]
    } else if arch.name.starts_with("riscv") {
        vec![rv("null syscall, ecall", 172), rv("yield round trip", 124)]
    } else {
        Vec::new()
    }
}

/// `cargo xtask bench-qemu <arch> --profile`.
pub fn main(arch: &Arch) -> Result {
    let bench = arch
        .bench
        .as_ref()
        .ok_or_else(|| Error::new(format!("{} has no bench boot registered", arch.name)))?;
    let prepared = boot::prepare(
        arch,
        bench.kernel_features,
        Source::Spec(bench.initrd),
        "bench",
    )?;
    let users = examples::programs(&arch.programs, &["bench", "bench-partner"])?;
    let kernel = Image::load(&prepared.kernel, "")?;
    let user = Image::load(&users[0], "bench: ")?;
    let partner = Image::load(&users[1], "partner: ")?;
    let text = std::fs::read(&users[0]).map_err(|e| Error::new(format!("read bench: {e}")))?;
    let starts: Vec<(usize, u64, u64)> = windows(arch)
        .iter()
        .enumerate()
        .flat_map(|(i, w)| {
            user.find(&text, &w.bytes)
                .into_iter()
                .map(move |at| (i, at + w.prefix as u64, (w.bytes.len() - w.prefix) as u64))
        })
        .collect();
    let names: Vec<&str> = windows(arch).iter().map(|w| w.name).collect();
    if names.is_empty() {
        return Err(Error::new(format!(
            "--profile knows the trapping instructions of x86_64 and RISC-V, not {}",
            arch.name
        )));
    }
    for (i, name) in names.iter().enumerate() {
        if !starts.iter().any(|s| s.0 == i) {
            return Err(Error::new(format!(
                "`{name}`'s instructions are not in bench"
            )));
        }
    }

    let fifo = crate::out_dir().join(arch.name).join("exec-log.fifo");
    let _ = std::fs::remove_file(&fifo);
    Cmd::new("mkfifo").arg(&fifo).run()?;
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || scan(&fifo, &starts, names.len()))
    };
    let log = fifo.to_string_lossy().into_owned();
    let args: Vec<&str> = bench
        .qemu_args
        .iter()
        .copied()
        .chain(["-singlestep", "-d", "exec,nochain", "-D", &log])
        .collect();
    let timeout = Some(Duration::from_secs(bench.timeout_secs * 4));
    prepared.run(arch, bench.cmdline, &args, timeout).run()?;
    let best = reader
        .join()
        .map_err(|_| Error::new("the exec-log reader panicked"))??;
    let _ = std::fs::remove_file(&fifo);
    let images = [&kernel, &user, &partner];
    for (name, pcs) in windows(arch).iter().map(|w| w.name).zip(best) {
        println!("\n{name}: {} instructions\n", pcs.len());
        println!("{}", table(&pcs, images));
        let listing = crate::out_dir()
            .join(arch.name)
            .join(format!("profile-{}.txt", name.replace([' ', ','], "-")));
        let text: String = pcs
            .iter()
            .enumerate()
            .map(|(i, &pc)| format!("{pc:#x} {}\n", owner(i, pc, images)))
            .collect();
        std::fs::write(&listing, text)
            .map_err(|e| Error::new(format!("write {}: {e}", listing.display())))?;
        println!("every PC in order: {}", crate::short(&listing));
    }
    Ok(())
}

/// The function of the `i`th PC of a window: kernel, `bench`'s trapping
/// instruction (the first), or the partner's.
fn owner(i: usize, pc: u64, [kernel, user, partner]: [&Image; 3]) -> String {
    if kernel.contains(pc) {
        kernel.symbol(pc)
    } else if i == 0 {
        user.symbol(pc)
    } else if partner.contains(pc) {
        partner.symbol(pc)
    } else {
        format!("firmware/other {pc:#x}")
    }
}

/// Reads the exec log; for each window kind, the PCs of its shortest
/// window that recurs (a path taken once, such as the partner's very first
/// start or a tick, is not the steady round trip `bench-qemu` reports).
/// `starts`: (kind, trapping PC, its length in bytes).
fn scan(fifo: &Path, starts: &[(usize, u64, u64)], kinds: usize) -> Result<Vec<Vec<u64>>> {
    let file = std::fs::File::open(fifo).map_err(|e| Error::new(format!("open exec log: {e}")))?;
    // Per kind: window length -> (times seen, the first such window).
    let mut seen: Vec<BTreeMap<usize, (usize, Vec<u64>)>> = vec![BTreeMap::new(); kinds];
    let mut open: Option<(usize, u64, Vec<u64>)> = None;
    for line in BufReader::with_capacity(1 << 20, file).split(b'\n') {
        let line = line.map_err(|e| Error::new(format!("read exec log: {e}")))?;
        let Some(pc) = trace_pc(&line) else { continue };
        if let Some((kind, end, pcs)) = &mut open {
            if pc == *end {
                let (kind, pcs) = (*kind, std::mem::take(pcs));
                // A logged instruction whose TB was left before it ran (an
                // exit request seen at the TB's start) makes a window of
                // the trapping instruction alone: not a round trip.
                if pcs.len() > 1 {
                    seen[kind].entry(pcs.len()).or_insert((0, pcs)).0 += 1;
                }
                open = None;
            } else {
                pcs.push(pc);
                continue;
            }
        }
        if let Some(&(kind, at, len)) = starts.iter().find(|s| s.1 == pc) {
            open = Some((kind, at + len, vec![pc]));
        }
    }
    seen.into_iter()
        .enumerate()
        .map(|(i, lengths)| {
            lengths
                .into_values()
                .find(|(times, _)| *times >= 2)
                .map(|(_, pcs)| pcs)
                .ok_or_else(|| Error::new(format!("window {i} never recurred in the log")))
        })
        .collect()
}

/// The guest PC of a `Trace N: HOST [CS_BASE/PC/FLAGS/CFLAGS] SYM` line.
fn trace_pc(line: &[u8]) -> Option<u64> {
    let line = std::str::from_utf8(line.strip_prefix(b"Trace ")?).ok()?;
    let fields = line.split_once('[')?.1;
    let pc = fields.split('/').nth(1)?;
    u64::from_str_radix(pc, 16).ok()
}

/// Per-function rows of one window, in order of first execution.
fn table(pcs: &[u64], images: [&Image; 3]) -> String {
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (i, &pc) in pcs.iter().enumerate() {
        let name = owner(i, pc, images);
        if !counts.contains_key(&name) {
            order.push(name.clone());
        }
        *counts.entry(name).or_default() += 1;
    }
    let rows: Vec<Vec<String>> = order
        .into_iter()
        .map(|name| {
            let n = counts[&name];
            vec![name, n.to_string()]
        })
        .collect();
    crate::perfdoc::table(&["function", "instructions"], &rows)
}

/// An ELF's loaded ranges and text symbols.
struct Image {
    /// (vaddr, file offset, size in file, size in memory) of each PT_LOAD.
    loads: Vec<(u64, u64, u64, u64)>,
    /// Text symbols by address.
    symbols: BTreeMap<u64, String>,
    /// Prefixed to every symbol name.
    label: &'static str,
}

impl Image {
    fn load(path: &Path, label: &'static str) -> Result<Image> {
        let data = std::fs::read(path)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
        let loads = elf_loads(&data)
            .ok_or_else(|| Error::new(format!("{} is not an ELF I can read", path.display())))?;
        let listing = Cmd::new(llvm_nm()?)
            .args(["--defined-only", "--demangle", "--no-sort"])
            .arg(path)
            .read()?;
        let symbols = listing
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                let addr = u64::from_str_radix(parts.next()?, 16).ok()?;
                let kind = parts.next()?;
                let name = parts.next()?;
                // Assembler-local labels (`.Lpcrel_hi3`, RISC-V's
                // `auipc` anchors) would split a function in pieces.
                let local = name.starts_with(".L") || name.starts_with('$');
                (matches!(kind, "t" | "T") && !local).then(|| (addr, name.to_owned()))
            })
            .collect();
        Ok(Image {
            loads,
            symbols,
            label,
        })
    }

    fn contains(&self, pc: u64) -> bool {
        self.loads
            .iter()
            .any(|&(va, _, _, mem)| (va..va + mem).contains(&pc))
    }

    /// The function holding `pc`, without its hash suffix.
    fn symbol(&self, pc: u64) -> String {
        match self.symbols.range(..=pc).next_back() {
            Some((_, name)) => format!("{}{}", self.label, readable(name)),
            None => format!("{}{pc:#x}", self.label),
        }
    }

    /// The addresses at which `bytes` occur in the loaded file contents.
    fn find(&self, data: &[u8], bytes: &[u8]) -> Vec<u64> {
        self.loads
            .iter()
            .flat_map(|&(va, off, filesz, _)| {
                let seg = &data[off as usize..(off + filesz) as usize];
                seg.windows(bytes.len())
                    .enumerate()
                    .filter(|(_, w)| *w == bytes)
                    .map(move |(i, _)| va + i as u64)
            })
            .collect()
    }
}

/// A symbol as `llvm-nm --demangle` left it, with the legacy mangling's
/// escapes (`$LT$`, `..`) that it keeps inside trait impls undone and the
/// hash dropped.
fn readable(name: &str) -> String {
    let name = name.rsplit_once("::h").map_or(name, |(n, _)| n);
    let name = name
        .strip_prefix('_')
        .filter(|n| n.starts_with('$'))
        .unwrap_or(name);
    [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$C$", ","),
        ("$u20$", " "),
        ("$RF$", "&"),
        ("..", "::"),
    ]
    .iter()
    .fold(name.to_owned(), |n, (from, to)| n.replace(from, to))
}

/// The PT_LOAD segments of a little-endian ELF32 or ELF64.
fn elf_loads(d: &[u8]) -> Option<Vec<(u64, u64, u64, u64)>> {
    if d.get(..4)? != b"\x7fELF" || *d.get(5)? != 1 {
        return None;
    }
    let is64 = *d.get(4)? == 2;
    let u = |at: usize, n: usize| -> Option<u64> {
        let b = d.get(at..at + n)?;
        Some(b.iter().rev().fold(0, |acc, &x| (acc << 8) | u64::from(x)))
    };
    let w = if is64 { 8 } else { 4 };
    let (phoff, phentsize, phnum) = if is64 {
        (u(0x20, 8)?, u(0x36, 2)?, u(0x38, 2)?)
    } else {
        (u(0x1c, 4)?, u(0x2a, 2)?, u(0x2c, 2)?)
    };
    (0..phnum)
        .filter_map(|i| {
            let ph = (phoff + i * phentsize) as usize;
            (u(ph, 4)? == 1).then_some(ph)
        })
        .map(|ph| {
            if is64 {
                Some((
                    u(ph + 16, w)?,
                    u(ph + 8, w)?,
                    u(ph + 32, w)?,
                    u(ph + 40, w)?,
                ))
            } else {
                Some((u(ph + 8, w)?, u(ph + 4, w)?, u(ph + 16, w)?, u(ph + 20, w)?))
            }
        })
        .collect()
}

/// `llvm-nm` from rustup's `llvm-tools` (which the pipeline installs), or
/// from the PATH.
fn llvm_nm() -> Result<PathBuf> {
    let sysroot = Cmd::new("rustc").args(["--print", "sysroot"]).read()?;
    let host = Cmd::new("rustc").args(["--print", "host-tuple"]).read()?;
    let bundled = PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/llvm-nm");
    Ok(if bundled.exists() {
        bundled
    } else {
        PathBuf::from("llvm-nm")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pc_is_the_second_field_of_a_trace_line() {
        let line = b"Trace 0: 0x7f57 [0000000000000000/000000000010c6d5/18c0c290/ff000201] sym";
        assert_eq!(trace_pc(line), Some(0x10c6d5));
        assert_eq!(trace_pc(b"Linking TBs 0x1 [0000] index 0"), None);
    }

    #[test]
    fn trait_impl_symbols_read_as_rust() {
        let nm = "_$LT$ldex_core..kernel..Kernel$LT$A$C$P$GT$$u20$as$u20$ldex_core..sink..TrapSink$GT$::trap::h0123";
        assert_eq!(
            readable(nm),
            "<ldex_core::kernel::Kernel<A,P> as ldex_core::sink::TrapSink>::trap"
        );
    }

    #[test]
    fn the_shortest_recurring_window_of_each_kind_is_kept_and_ends_at_the_next_user_pc() {
        let log = "Trace 0: x [0/10/0/0]\nTrace 0: x [0/900/0/0]\nTrace 0: x [0/901/0/0]\n\
                   Trace 0: x [0/12/0/0]\nTrace 0: x [0/10/0/0]\nTrace 0: x [0/900/0/0]\n\
                   Trace 0: x [0/12/0/0]\nTrace 0: x [0/10/0/0]\nTrace 0: x [0/900/0/0]\n\
                   Trace 0: x [0/12/0/0]\nTrace 0: x [0/10/0/0]\nTrace 0: x [0/12/0/0]\n";
        let path = crate::out_dir().join("profile-scan-test.log");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, log).unwrap();
        let best = scan(&path, &[(0, 0x10, 2)], 1).unwrap();
        assert_eq!(best, vec![vec![0x10, 0x900]]);
        std::fs::write(&path, "Trace 0: x [0/10/0/0]\nTrace 0: x [0/12/0/0]\n").unwrap();
        assert!(
            scan(&path, &[(0, 0x10, 2)], 1).is_err(),
            "a window of the trap alone"
        );
    }
}
