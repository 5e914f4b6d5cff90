use std::string::String;
use std::sync::Mutex;
use std::vec::Vec;

use super::*;
use crate::elf::{Class, Segment};
use crate::testing::{DIR, REG, RX, archive, elf_file};

const STACK: Range<u64> = 0x7fff_0000..0x8000_0000;
const KERNEL: Range<u64> = 0x8020_0000..0x8040_0000;

#[derive(Default)]
struct Space {
    segments: Vec<u64>,
    stack_writes: usize,
}

impl Mapper for Space {
    fn map(&mut self, s: &Segment<'_>) -> Result<(), MapError> {
        self.segments.push(s.vaddr);
        Ok(())
    }
}

struct Builder {
    spawned: Vec<(String, u64, u64, Vec<u64>)>,
    discarded: usize,
    refuse_writes: bool,
    refuse_spawns: bool,
    /// Free slots: `None` for as many as asked.
    slots: Option<usize>,
    /// Address spaces that can be had before memory runs out (`usize::MAX`
    /// unless a test sets it).
    out_of_memory: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            spawned: Vec::new(),
            discarded: 0,
            refuse_writes: false,
            refuse_spawns: false,
            slots: None,
            out_of_memory: usize::MAX,
        }
    }
}

impl ProcessBuilder for Builder {
    type Space = Space;
    fn new_space(&mut self) -> Result<Space, MapError> {
        self.out_of_memory = self
            .out_of_memory
            .checked_sub(1)
            .ok_or(MapError::OutOfMemory)?;
        Ok(Space::default())
    }
    fn map_stack(&mut self, _: &mut Space) -> Result<Range<u64>, MapError> {
        Ok(STACK)
    }
    fn write(&mut self, space: &mut Space, addr: u64, _: &[u8]) -> Result<(), WriteFault> {
        space.stack_writes += 1;
        match self.refuse_writes || !STACK.contains(&addr) {
            true => Err(WriteFault),
            false => Ok(()),
        }
    }
    fn random(&mut self) -> [u8; 16] {
        [4; 16]
    }
    fn spawn(&mut self, name: &str, entry: u64, sp: u64, space: Space) -> Result<(), SpawnError> {
        if self.refuse_spawns {
            return Err(SpawnError::Refused("the policy is full"));
        }
        if let Some(slots) = &mut self.slots {
            *slots = slots.checked_sub(1).ok_or(SpawnError::Full)?;
        }
        self.spawned.push((name.into(), entry, sp, space.segments));
        Ok(())
    }
    fn discard(&mut self, _: Space) {
        self.discarded += 1;
    }
}

#[derive(Default)]
struct Out(Mutex<String>);

impl Console for Out {
    fn write_bytes(&self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push_str(std::str::from_utf8(bytes).unwrap());
    }
}

fn setup() -> Setup<'static> {
    Setup {
        target: Target::RISCV64,
        limits: Limits {
            user: 0x1000..0x40_0000_0000,
            forbidden: &[KERNEL],
        },
        word: WordSize::Eight,
        page_size: 4096,
        hwcap: 0,
    }
}

fn program(entry: u64) -> Vec<u8> {
    elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        entry,
        &[(entry, b"code", 4, RX)],
    )
}

#[test]
fn every_program_starts_in_archive_order_and_bad_ones_are_refused_by_name() {
    let good1 = program(0x10000);
    let good2 = program(0x20000);
    let x86 = elf_file(
        Class::Elf64,
        Target::EM_X86_64,
        0x40_0000,
        &[(0x40_0000, b"c", 1, RX)],
    );
    let initrd = archive(&[
        (".", DIR, b""),
        ("hello", REG, &good1),
        ("bad-magic", REG, b"MZ not an elf"),
        ("wrong-arch", REG, &x86),
        ("bin/yielder", REG, &good2),
    ]);
    let (mut b, out) = (Builder::default(), Out::default());
    let summary = spawn_all(&initrd, &setup(), &mut b, &out);
    assert_eq!(
        summary,
        Summary {
            started: 2,
            refused: 2,
            damaged: None
        }
    );
    let names: Vec<_> = b
        .spawned
        .iter()
        .map(|s| (s.0.as_str(), s.1, s.3.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("hello", 0x10000, std::vec![0x10000]),
            ("yielder", 0x20000, std::vec![0x20000])
        ]
    );
    assert!(
        b.spawned
            .iter()
            .all(|s| STACK.contains(&s.2) && s.2 % 16 == 0)
    );
    assert_eq!(
        *out.0.lock().unwrap(),
        "[initrd bad-magic] refused: not an ELF file (bad magic)\n\
         [initrd wrong-arch] refused: wrong machine 62 (need 243)\n"
    );
}

#[test]
fn an_empty_initrd_is_reported_and_nothing_starts() {
    let (mut b, out) = (Builder::default(), Out::default());
    let summary = spawn_all(&[], &setup(), &mut b, &out);
    assert_eq!(
        summary,
        Summary {
            started: 0,
            refused: 0,
            damaged: Some(CpioError::Empty)
        }
    );
    assert_eq!(*out.0.lock().unwrap(), "[initrd] the initrd is empty\n");
}

#[test]
fn a_damaged_archive_keeps_the_programs_before_the_damage() {
    let good = program(0x10000);
    let mut initrd = archive(&[("hello", REG, &good), ("second", REG, &good)]);
    let second = (110 + "hello\0".len()).next_multiple_of(4) + good.len().next_multiple_of(4);
    initrd[second] = b'X';
    let (mut b, out) = (Builder::default(), Out::default());
    let summary = spawn_all(&initrd, &setup(), &mut b, &out);
    assert_eq!(summary.started, 1);
    assert_eq!(
        summary.damaged,
        Some(CpioError::BadMagic { offset: second })
    );
    assert!(
        out.0
            .lock()
            .unwrap()
            .starts_with("[initrd] not a cpio newc archive")
    );
}

#[test]
fn a_stack_that_cannot_be_written_refuses_the_program_and_frees_its_space() {
    let good = program(0x10000);
    let initrd = archive(&[("hello", REG, &good)]);
    let (mut b, out) = (
        Builder {
            refuse_writes: true,
            ..Builder::default()
        },
        Out::default(),
    );
    let summary = spawn_all(&initrd, &setup(), &mut b, &out);
    assert_eq!((summary.started, summary.refused, b.discarded), (0, 1, 1));
    assert!(
        out.0
            .lock()
            .unwrap()
            .starts_with("[initrd hello] refused: cannot write the user stack")
    );
}

#[test]
fn a_spawn_the_kernel_refuses_is_reported() {
    let good = program(0x10000);
    let initrd = archive(&[("hello", REG, &good)]);
    let (mut b, out) = (
        Builder {
            refuse_spawns: true,
            ..Builder::default()
        },
        Out::default(),
    );
    assert_eq!(spawn_all(&initrd, &setup(), &mut b, &out).refused, 1);
    assert_eq!(
        *out.0.lock().unwrap(),
        "[initrd hello] refused: the policy is full\n"
    );
}

#[test]
fn a_full_table_keeps_the_program_for_when_a_slot_frees_up() {
    let (a, b2, c) = (program(0x10000), program(0x20000), program(0x30000));
    let initrd = archive(&[("a", REG, &a), ("b", REG, &b2), ("c", REG, &c)]);
    let (mut b, out) = (
        Builder {
            slots: Some(1),
            ..Builder::default()
        },
        Out::default(),
    );
    let mut queue = Queue::new(&initrd);
    queue.start(&setup(), &mut b, &out);
    assert_eq!(queue.summary().started, 1);
    b.slots = Some(1);
    queue.start(&setup(), &mut b, &out);
    b.slots = Some(5);
    queue.start(&setup(), &mut b, &out);
    let names: Vec<_> = b.spawned.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"], "in archive order, none refused");
    assert_eq!(
        queue.summary(),
        Summary {
            started: 3,
            refused: 0,
            damaged: None
        }
    );
    assert_eq!(*out.0.lock().unwrap(), "");
}

#[test]
fn out_of_memory_waits_while_a_process_lives_and_is_refused_when_none_does() {
    let (a, b2) = (program(0x10000), program(0x20000));
    let initrd = archive(&[("a", REG, &a), ("b", REG, &b2)]);
    let (mut b, out) = (Builder::default(), Out::default());
    let mut queue = Queue::new(&initrd);
    b.out_of_memory = 1;
    queue.start(&setup(), &mut b, &out);
    assert_eq!(
        queue.summary().started,
        1,
        "`a` started, `b` found no memory"
    );
    assert_eq!(*out.0.lock().unwrap(), "", "and waits, as `a` is alive");
    queue.reaped();
    b.out_of_memory = 1;
    queue.start(&setup(), &mut b, &out);
    assert_eq!(queue.summary().started, 2, "`a` gave its memory back");

    let (mut b, out) = (Builder::default(), Out::default());
    let mut queue = Queue::new(&initrd);
    b.out_of_memory = 0;
    queue.start(&setup(), &mut b, &out);
    assert_eq!(
        queue.summary().refused,
        2,
        "none alive: nothing would free more"
    );
    assert_eq!(
        *out.0.lock().unwrap(),
        "[initrd a] refused: out of memory\n[initrd b] refused: out of memory\n"
    );
}
