//! What a flattened device tree tells the kernel: RAM, the timebase, the
//! command line and the initrd.
//!
//! The firmware (OpenSBI, QEMU) hands the kernel a device tree blob
//! (Devicetree Specification v0.4, chapter 5). The kernel reads five facts
//! from it: the first `/memory` region, the `timebase-frequency` of the
//! first CPU (or of `/cpus`), the hart ids (the `reg` of each
//! `/cpus/cpu@N` whose `status` is absent or `okay`, at most `MAX_CPUS`),
//! and `/chosen`'s `bootargs` and `linux,initrd-start`/`linux,initrd-end`.
//! Nothing else is interpreted.
//!
//! ```text
//!   header, big-endian u32s       structure block: 4-byte aligned tokens
//!    0  magic  0xd00dfeed          1 BEGIN_NODE  name NUL, padded
//!    4  totalsize                  2 END_NODE
//!    8  off_dt_struct              3 PROP        len, nameoff, value[len], padded
//!   12  off_dt_strings             4 NOP
//!   16  off_mem_rsvmap             9 END
//!   20  version
//!   24  last_comp_version         strings block: NUL-terminated property
//!   28  boot_cpuid_phys           names, found by nameoff
//!   32  size_dt_strings
//!   36  size_dt_struct
//! ```
//!
//! The blob is outside input, so every offset, length and sum is checked
//! against it and every refusal is a [`DtbError`]; no blob makes the reader
//! panic or read outside it (`ldex-fuzz`'s `dtb` target feeds it mutated
//! trees). It replaced the `fdt` crate, which that fuzzing showed to panic
//! on malformed blobs (a missing `/chosen`, a truncated node, a bad string
//! offset).

use core::fmt;
use core::ops::Range;

use ldex_core::MAX_CPUS;

/// Bytes of the header.
pub const HEADER_LEN: usize = 40;

const MAGIC: u32 = 0xd00d_feed;
/// The layout this reader knows (`version` 17), and the oldest it can
/// stand in for (`last_comp_version` 16): QEMU writes 17 and 16.
const VERSION: u32 = 17;
const OLDEST: u32 = 16;
const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;
const END: u32 = 9;

/// The facts the kernel boots with, borrowed from the blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootInfo<'a> {
    /// The kernel command line (empty if none).
    pub bootargs: &'a str,
    /// The initrd's physical range, if the firmware loaded one.
    pub initrd: Option<Range<usize>>,
    /// `time` ticks per second.
    pub timebase_hz: u64,
    /// The first RAM region.
    pub ram: Range<usize>,
    /// Where the device tree itself lies.
    pub dtb: Range<usize>,
    /// The harts the kernel may start.
    pub harts: Harts,
}

/// Hart ids, in device-tree order, at most [`MAX_CPUS`] of them (the rest
/// are left stopped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Harts {
    ids: [usize; MAX_CPUS],
    len: usize,
}

impl Harts {
    /// These hart ids (the first [`MAX_CPUS`] of them).
    pub fn new(ids: &[usize]) -> Harts {
        let mut harts = Harts {
            ids: [0; MAX_CPUS],
            len: 0,
        };
        for (slot, &id) in harts.ids.iter_mut().zip(ids) {
            *slot = id;
            harts.len += 1;
        }
        harts
    }

    /// The hart ids.
    pub fn ids(&self) -> &[usize] {
        &self.ids[..self.len]
    }
}

/// Why the device tree could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtbError {
    /// The header's magic, version or sizes are wrong.
    BadHeader,
    /// The structure block breaks the format at this offset of the blob.
    Malformed {
        /// Where, from the blob's start.
        offset: usize,
    },
    /// It names no memory.
    NoMemory,
    /// It names no CPU.
    NoCpu,
    /// Neither the first CPU nor `/cpus` has a `timebase-frequency`.
    NoTimebase,
    /// A property the kernel reads has the wrong size or value.
    BadProperty(&'static str),
}

impl fmt::Display for DtbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DtbError::BadHeader => f.write_str("unreadable device tree: bad header"),
            DtbError::Malformed { offset } => {
                write!(f, "unreadable device tree: malformed at offset {offset:#x}")
            }
            DtbError::NoMemory => f.write_str("the device tree names no memory"),
            DtbError::NoCpu => f.write_str("the device tree names no cpu"),
            DtbError::NoTimebase => f.write_str("the device tree gives no timebase-frequency"),
            DtbError::BadProperty(name) => write!(f, "bad device tree property {name}"),
        }
    }
}

fn be32(blob: &[u8], at: usize) -> Option<u32> {
    let bytes = blob.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// The blob's size from its header (`totalsize`), which must hold at
/// least the header itself.
pub fn total_size(header: &[u8]) -> Result<usize, DtbError> {
    if be32(header, 0) != Some(MAGIC) {
        return Err(DtbError::BadHeader);
    }
    let size = be32(header, 4).ok_or(DtbError::BadHeader)? as usize;
    match size >= HEADER_LEN {
        true => Ok(size),
        false => Err(DtbError::BadHeader),
    }
}

/// The raw values the kernel wants, found in one walk of the structure
/// block and decoded afterwards.
#[derive(Default)]
struct Found<'a> {
    address_cells: Option<&'a [u8]>,
    size_cells: Option<&'a [u8]>,
    memory_reg: Option<&'a [u8]>,
    cpus_timebase: Option<&'a [u8]>,
    cpu_seen: bool,
    cpu_timebase: Option<&'a [u8]>,
    /// CPU nodes seen, and the `reg` and `status` of the first
    /// [`MAX_CPUS`].
    cpus: usize,
    cpu_reg: [Option<&'a [u8]>; MAX_CPUS],
    cpu_status: [Option<&'a [u8]>; MAX_CPUS],
    bootargs: Option<&'a [u8]>,
    initrd_start: Option<&'a [u8]>,
    initrd_end: Option<&'a [u8]>,
}

/// Which node the walk is in, as far as the kernel cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    Memory,
    Chosen,
    Cpus,
    /// The `n`th CPU node (0: the first, whose timebase counts).
    Cpu(usize),
    Other,
}

/// Is `name` `base` or `base@unit`?
fn named(name: &[u8], base: &[u8]) -> bool {
    name.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest[0] == b'@')
}

/// Read the facts from `blob`, a whole device tree that lies at address
/// `base`.
pub fn read(blob: &[u8], base: usize) -> Result<BootInfo<'_>, DtbError> {
    parse(blob, base, None)
}

/// [`read`] for a machine whose clock rate is not the device tree's: an
/// AArch64 tree names no `timebase-frequency` (the generic timer's rate
/// is `CNTFRQ_EL0`), so `timebase_hz` is the one given and the tree's is
/// not looked for.
pub fn read_with_timebase(
    blob: &[u8],
    base: usize,
    timebase_hz: u64,
) -> Result<BootInfo<'_>, DtbError> {
    parse(blob, base, Some(timebase_hz))
}

/// [`read`], with the timebase from the tree unless `given_hz` says it.
fn parse(blob: &[u8], base: usize, given_hz: Option<u64>) -> Result<BootInfo<'_>, DtbError> {
    let size = total_size(blob)?;
    let blob = blob.get(..size).ok_or(DtbError::BadHeader)?;
    let field = |at| be32(blob, at).ok_or(DtbError::BadHeader);
    if field(20)? < OLDEST || field(24)? > VERSION {
        return Err(DtbError::BadHeader);
    }
    let block = |off: usize, len: usize| {
        let (off, len) = (field(off)? as usize, field(len)? as usize);
        let end = off.checked_add(len).ok_or(DtbError::BadHeader)?;
        blob.get(off..end)
            .map(|b| (off, b))
            .ok_or(DtbError::BadHeader)
    };
    let (struct_off, structure) = block(8, 36)?;
    let (_, strings) = block(12, 32)?;
    let found = walk(structure, strings).map_err(|at| DtbError::Malformed {
        offset: struct_off + at,
    })?;
    let dtb = base..base.checked_add(size).ok_or(DtbError::BadHeader)?;
    decode(&found, dtb, given_hz)
}

/// Walk the structure block; on error, the offset (in the block) of the
/// token that breaks the format.
fn walk<'a>(structure: &'a [u8], strings: &'a [u8]) -> Result<Found<'a>, usize> {
    let mut found = Found::default();
    // The kind of node open at each depth up to 2 (root, its children, a
    // CPU); anything deeper is `Other`, and so are all its children.
    let mut path: [Node; 3] = [Node::Other; 3];
    let open = |path: &[Node; 3], depth: usize| path.get(depth).copied().unwrap_or(Node::Other);
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let token_at = at;
        let token = be32(structure, at).ok_or(token_at)?;
        at += 4;
        match token {
            BEGIN_NODE => {
                let rest = structure.get(at..).ok_or(token_at)?;
                let len = rest.iter().position(|&b| b == 0).ok_or(token_at)?;
                let name = &rest[..len];
                at = (at + len + 1).next_multiple_of(4);
                let parent = depth.checked_sub(1).map(|d| open(&path, d));
                let node = match parent {
                    None => Node::Root,
                    Some(Node::Root) if named(name, b"memory") => Node::Memory,
                    Some(Node::Root) if name == b"chosen" => Node::Chosen,
                    Some(Node::Root) if name == b"cpus" => Node::Cpus,
                    Some(Node::Cpus) if named(name, b"cpu") => {
                        found.cpu_seen = true;
                        found.cpus += 1;
                        Node::Cpu(found.cpus - 1)
                    }
                    Some(_) => Node::Other,
                };
                if let Some(slot) = path.get_mut(depth) {
                    *slot = node;
                }
                depth += 1;
            }
            END_NODE => {
                depth = depth.checked_sub(1).ok_or(token_at)?;
                if depth == 0 {
                    // The root has ended: only NOPs and END may follow.
                    return finish(structure, at).map(|()| found);
                }
            }
            PROP => {
                let len = be32(structure, at).ok_or(token_at)? as usize;
                let name_off = be32(structure, at + 4).ok_or(token_at)? as usize;
                let value_at = at + 8;
                let end = value_at.checked_add(len).ok_or(token_at)?;
                let value = structure.get(value_at..end).ok_or(token_at)?;
                let name = strings.get(name_off..).ok_or(token_at)?;
                let name = &name[..name.iter().position(|&b| b == 0).ok_or(token_at)?];
                at = end.next_multiple_of(4);
                let node = match depth.checked_sub(1) {
                    None => return Err(token_at),
                    Some(d) => open(&path, d),
                };
                let slot = match (node, name) {
                    (Node::Root, b"#address-cells") => &mut found.address_cells,
                    (Node::Root, b"#size-cells") => &mut found.size_cells,
                    (Node::Memory, b"reg") => &mut found.memory_reg,
                    (Node::Cpus, b"timebase-frequency") => &mut found.cpus_timebase,
                    (Node::Cpu(0), b"timebase-frequency") => &mut found.cpu_timebase,
                    (Node::Cpu(n), b"reg") if n < MAX_CPUS => &mut found.cpu_reg[n],
                    (Node::Cpu(n), b"status") if n < MAX_CPUS => &mut found.cpu_status[n],
                    (Node::Chosen, b"bootargs") => &mut found.bootargs,
                    (Node::Chosen, b"linux,initrd-start") => &mut found.initrd_start,
                    (Node::Chosen, b"linux,initrd-end") => &mut found.initrd_end,
                    _ => continue,
                };
                // The first of several /memory nodes is the one that counts.
                if slot.is_none() {
                    *slot = Some(value);
                }
            }
            NOP => {}
            _ => return Err(token_at),
        }
    }
}

/// After the root's END_NODE: NOPs, then END.
fn finish(structure: &[u8], mut at: usize) -> Result<(), usize> {
    loop {
        match be32(structure, at) {
            Some(NOP) => at += 4,
            Some(END) => return Ok(()),
            _ => return Err(at),
        }
    }
}

/// A big-endian number of one or two 32-bit cells.
fn cells(bytes: &[u8]) -> Option<u64> {
    match bytes.len() {
        4 => be32(bytes, 0).map(u64::from),
        8 => Some(u64::from_be_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

/// A number that must fit the machine's address width.
fn address(bytes: &[u8], name: &'static str) -> Result<usize, DtbError> {
    cells(bytes)
        .and_then(|v| usize::try_from(v).ok())
        .ok_or(DtbError::BadProperty(name))
}

fn decode<'a>(
    found: &Found<'a>,
    dtb: Range<usize>,
    given_hz: Option<u64>,
) -> Result<BootInfo<'a>, DtbError> {
    // Absent, the spec's defaults: two address cells, one size cell.
    let count = |cells: Option<&[u8]>, default, name| match cells {
        None => Ok(default),
        Some(v) => match be32(v, 0) {
            Some(n @ 1..=2) if v.len() == 4 => Ok(n as usize * 4),
            _ => Err(DtbError::BadProperty(name)),
        },
    };
    let address_len = count(found.address_cells, 8, "#address-cells")?;
    let size_len = count(found.size_cells, 4, "#size-cells")?;
    let reg = found.memory_reg.ok_or(DtbError::NoMemory)?;
    let (start, size) = reg
        .get(..address_len + size_len)
        .ok_or(DtbError::BadProperty("reg"))?
        .split_at(address_len);
    let ram_start = address(start, "reg")?;
    let ram_end = ram_start
        .checked_add(address(size, "reg")?)
        .ok_or(DtbError::BadProperty("reg"))?;
    if !found.cpu_seen {
        return Err(DtbError::NoCpu);
    }
    let timebase_hz = match given_hz {
        Some(hz) => hz,
        None => {
            let timebase = found
                .cpu_timebase
                .or(found.cpus_timebase)
                .ok_or(DtbError::NoTimebase)?;
            match cells(timebase) {
                Some(hz) if hz > 0 => hz,
                _ => return Err(DtbError::BadProperty("timebase-frequency")),
            }
        }
    };
    let initrd = match (found.initrd_start, found.initrd_end) {
        (Some(start), Some(end)) => {
            let (start, end) = (
                address(start, "linux,initrd-start")?,
                address(end, "linux,initrd-end")?,
            );
            if end < start {
                return Err(DtbError::BadProperty("linux,initrd-end"));
            }
            Some(start..end)
        }
        _ => None,
    };
    let mut ids = [0; MAX_CPUS];
    let mut len = 0;
    for (reg, status) in found.cpu_reg.iter().zip(&found.cpu_status).take(found.cpus) {
        let okay = status.is_none_or(|s| s.strip_suffix(&[0]).unwrap_or(s) == b"okay");
        if let (Some(reg), true) = (reg, okay) {
            ids[len] = address(reg, "reg")?;
            len += 1;
        }
    }
    let harts = Harts::new(&ids[..len]);
    let bootargs = match found.bootargs {
        None => "",
        Some(bytes) => {
            let text = bytes.strip_suffix(&[0]).unwrap_or(bytes);
            core::str::from_utf8(text).map_err(|_| DtbError::BadProperty("bootargs"))?
        }
    };
    Ok(BootInfo {
        bootargs,
        initrd,
        timebase_hz,
        ram: ram_start..ram_end,
        dtb,
        harts,
    })
}

#[cfg(test)]
mod tests;
