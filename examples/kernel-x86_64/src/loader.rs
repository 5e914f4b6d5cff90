//! OSTEP Fig 6.1 on x86_64: each program of the initrd gets an address
//! space, its segments, a Linux-style stack and a process.

use kernel_common::elf::{Elf, Limits, MapError, Mapper, Segment, Target};
use kernel_common::stack::{self, StackArgs, WordSize, WriteFault};
use ldex_arch_x86_64::AddressSpace;
use ldex_core::sched::Hint;

use crate::memory::{self, PAGE, USER_START};
use crate::{KERNEL, kprint};

/// The top of every process's stack.
pub const STACK_TOP: u64 = 0x0000_7fff_ffff_0000;
/// Pages of user stack.
const STACK_PAGES: u64 = 16;
/// ELF segments must end below the stack and its guard page.
const USER_IMAGE_END: u64 = STACK_TOP - (STACK_PAGES + 1) * PAGE;

struct SpaceMapper(AddressSpace);

impl Mapper for SpaceMapper {
    fn map(&mut self, seg: &Segment<'_>) -> Result<(), MapError> {
        let pages = seg.pages(PAGE);
        for page in pages.step_by(PAGE as usize) {
            memory::map_user_page(self.0, page, seg.flags.write).ok_or(MapError::OutOfMemory)?;
        }
        if memory::write_user(self.0, seg.vaddr, seg.data) {
            Ok(())
        } else {
            Err(MapError::Refused("segment bytes landed outside its pages"))
        }
    }
}

/// Load `file` as program `name` and create its process. Failures print one
/// line naming the file and create nothing.
pub fn load(name: &str, file: &[u8]) {
    let limits = Limits { user: USER_START..USER_IMAGE_END, forbidden: &[] };
    let elf = match Elf::parse(file, Target::X86_64, &limits) {
        Ok(elf) => elf,
        Err(why) => return kprint!("[initrd {name}] refused: {why}\n"),
    };
    let Some(space) = memory::new_space() else {
        return kprint!("[initrd {name}] refused: out of memory\n");
    };
    let image = match elf.load(&mut SpaceMapper(space)) {
        Ok(image) => image,
        Err(why) => return kprint!("[initrd {name}] refused: {why}\n"),
    };
    let bottom = STACK_TOP - STACK_PAGES * PAGE;
    for page in (bottom..STACK_TOP).step_by(PAGE as usize) {
        if memory::map_user_page(space, page, true).is_none() {
            return kprint!("[initrd {name}] refused: out of memory\n");
        }
    }
    let argv = [name];
    let args = StackArgs { argv: &argv, image: &image, page_size: PAGE, random: random_bytes() };
    let write = |addr: u64, bytes: &[u8]| {
        if memory::write_user(space, addr, bytes) { Ok(()) } else { Err(WriteFault) }
    };
    let sp = match stack::build(bottom..STACK_TOP, WordSize::Eight, &args, write) {
        Ok(sp) => sp,
        Err(why) => return kprint!("[initrd {name}] refused: {why}\n"),
    };
    if let Err(why) = KERNEL.spawn(name, image.entry as usize, sp as usize, Some(space), Hint::NONE) {
        kprint!("[initrd {name}] refused: {why:?}\n");
    }
}

/// AT_RANDOM's bytes: the TSC, which is all the entropy a PC boot has.
fn random_bytes() -> [u8; 16] {
    // SAFETY: rdtsc is unprivileged and has no effects.
    let t = unsafe { core::arch::x86_64::_rdtsc() };
    let mut r = [0; 16];
    r[..8].copy_from_slice(&t.to_le_bytes());
    r[8..].copy_from_slice(&t.rotate_left(17).wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
    r
}
