//! What the QEMU tests share: the two RISC-V flavours, the built binaries,
//! a cpio writer and a QEMU boot with a timeout.
#![allow(dead_code, reason = "each test binary uses its own part")]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One RISC-V flavour to boot.
pub struct Arch {
    pub name: &'static str,
    pub triple: &'static str,
    pub qemu: &'static str,
    /// `-bios` argument: OpenSBI (`default`) or the built `minisbi`.
    pub minisbi: bool,
    /// Does this kernel keep FP state (rv64) or refuse FP (rv32)?
    pub fpu: bool,
}

pub const RV64: Arch = Arch {
    name: "rv64",
    triple: "riscv64gc-unknown-none-elf",
    qemu: "qemu-system-riscv64",
    minisbi: false,
    fpu: true,
};
pub const RV32: Arch = Arch {
    name: "rv32",
    triple: "riscv32imac-unknown-none-elf",
    qemu: "qemu-system-riscv32",
    minisbi: true,
    fpu: false,
};

pub const CPU_LIMIT: u64 = 30;
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(180);

pub fn bin(arch: &Arch, name: &str) -> Vec<u8> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir.join(arch.triple).join("release").join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build first: cargo build --release -p kernel-riscv -p user -p user-riscv --target {}",
            path.display(),
            arch.triple
        )
    })
}

/// A cpio "newc" archive of `files`, in order.
pub fn cpio(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    fn member(out: &mut Vec<u8>, ino: usize, mode: u32, name: &str, data: &[u8]) {
        let header = format!(
            "070701{ino:08x}{mode:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        );
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.resize(out.len().next_multiple_of(4), 0);
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let mut out = Vec::new();
    for (i, (name, data)) in files.iter().enumerate() {
        member(&mut out, i + 1, 0o100_755, name, data);
    }
    member(&mut out, 0, 0, "TRAILER!!!", &[]);
    out
}

/// Boot `arch` with `initrd` (none: no `-initrd`), `append` and more QEMU
/// arguments; return the kernel's part of the console and QEMU's exit
/// status.
pub fn boot(
    arch: &Arch,
    tag: &str,
    initrd: Option<&[u8]>,
    append: &str,
    qemu_args: &[&str],
) -> (String, i32) {
    let dir = std::env::temp_dir().join(format!(
        "ldex-kernel-riscv-{}-{tag}-{}",
        arch.name,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let kernel = dir.join("kernel");
    std::fs::write(&kernel, bin(arch, "kernel-riscv")).unwrap();
    let mut cmd = Command::new(arch.qemu);
    cmd.args([
        "-machine",
        "virt",
        "-nographic",
        "-monitor",
        "none",
        "-serial",
        "stdio",
    ]);
    if arch.minisbi {
        let fw = dir.join("minisbi");
        std::fs::write(&fw, bin(arch, "minisbi")).unwrap();
        cmd.arg("-bios").arg(&fw);
    } else {
        cmd.args(["-bios", "default"]);
    }
    cmd.args(qemu_args);
    cmd.arg("-kernel").arg(&kernel).args(["-append", append]);
    if let Some(initrd) = initrd {
        let path = dir.join("initrd.cpio");
        std::fs::write(&path, initrd).unwrap();
        cmd.arg("-initrd").arg(path);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", arch.qemu));
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > BOOT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let out = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
            panic!(
                "{} did not power off within {BOOT_TIMEOUT:?}:\n{out}",
                arch.qemu
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = String::from_utf8_lossy(&reader.join().unwrap()).replace('\r', "");
    let _ = std::fs::remove_dir_all(&dir);
    let kernel_part = match out.find("[kernel]") {
        Some(i) => out[i..].to_owned(),
        None => out,
    };
    (kernel_part, status.code().unwrap_or(-1))
}
