use std::vec;
use std::vec::Vec;

use super::*;

const TOP: u64 = 0x3f_ffff_f000;

/// A fake user stack page: `mem[i]` is the byte at `base + i`.
struct Page {
    base: u64,
    mem: Vec<u8>,
}

impl Page {
    fn new(region: &Range<u64>) -> Page {
        Page {
            base: region.start,
            mem: vec![0xAA; (region.end - region.start) as usize],
        }
    }

    fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), WriteFault> {
        let at = addr.checked_sub(self.base).ok_or(WriteFault)? as usize;
        self.mem
            .get_mut(at..at + bytes.len())
            .ok_or(WriteFault)?
            .copy_from_slice(bytes);
        Ok(())
    }

    fn word(&self, addr: u64, w: WordSize) -> u64 {
        let at = (addr - self.base) as usize;
        let mut b = [0u8; 8];
        b[..w.bytes() as usize].copy_from_slice(&self.mem[at..at + w.bytes() as usize]);
        u64::from_le_bytes(b)
    }

    fn c_string(&self, addr: u64) -> &str {
        let at = (addr - self.base) as usize;
        let len = self.mem[at..].iter().position(|&b| b == 0).unwrap();
        std::str::from_utf8(&self.mem[at..at + len]).unwrap()
    }
}

const IMAGE: Image = Image {
    entry: 0x10078,
    phdr: Some(0x10040),
    phent: 56,
    phnum: 3,
    end: 0x12000,
};

fn args<'a>(argv: &'a [&'a str]) -> StackArgs<'a> {
    StackArgs {
        argv,
        image: &IMAGE,
        page_size: 4096,
        random: [7; 16],
        hwcap: 0x1105,
    }
}

/// Read the vector back as a `_start` would: argc, argv, envp, auxv.
fn read_back(page: &Page, sp: u64, w: WordSize) -> (Vec<std::string::String>, Vec<(u64, u64)>) {
    let word = |i: u64| page.word(sp + i * w.bytes(), w);
    let argc = word(0);
    let argv = (0..argc)
        .map(|i| page.c_string(word(1 + i)).into())
        .collect();
    assert_eq!(word(1 + argc), 0, "argv ends with NULL");
    assert_eq!(word(2 + argc), 0, "envp is empty");
    let mut aux = Vec::new();
    let mut i = 3 + argc;
    loop {
        let pair = (word(i), word(i + 1));
        aux.push(pair);
        i += 2;
        if pair.0 == 0 {
            return (argv, aux);
        }
    }
}

#[test]
fn a_64_bit_stack_has_argc_argv_empty_envp_and_auxv_ending_in_at_null() {
    let region = TOP - 4096..TOP;
    let mut page = Page::new(&region);
    let sp = build(region, WordSize::Eight, &args(&["hello", "-v"]), |a, b| {
        page.write(a, b)
    })
    .unwrap();
    assert_eq!(sp % 16, 0);
    let (argv, aux) = read_back(&page, sp, WordSize::Eight);
    assert_eq!(argv, ["hello", "-v"]);
    let random = aux.iter().find(|p| p.0 == 25).unwrap().1;
    assert_eq!(
        aux,
        [
            (3, 0x10040),
            (4, 56),
            (5, 3),
            (6, 4096),
            (9, 0x10078),
            (16, 0x1105),
            (25, random),
            (0, 0)
        ]
    );
    assert_eq!(random % 16, 0);
    let at = (random - page.base) as usize;
    assert_eq!(page.mem[at..at + 16], [7; 16]);
}

#[test]
fn a_32_bit_stack_uses_four_byte_words() {
    let region = 0x7fff_f000..0x8000_0000;
    let mut page = Page::new(&region);
    let sp = build(region, WordSize::Four, &args(&["yielder"]), |a, b| {
        page.write(a, b)
    })
    .unwrap();
    assert_eq!(sp % 16, 0);
    let (argv, aux) = read_back(&page, sp, WordSize::Four);
    assert_eq!(argv, ["yielder"]);
    assert_eq!(aux.len(), 8);
    assert_eq!(aux[4], (9, 0x10078));
    assert_eq!(aux[5], (16, 0x1105));
}

#[test]
fn without_program_headers_in_memory_the_phdr_entries_are_left_out() {
    let image = Image {
        phdr: None,
        ..IMAGE
    };
    let a = StackArgs {
        image: &image,
        ..args(&["x"])
    };
    let region = TOP - 4096..TOP;
    let mut page = Page::new(&region);
    let sp = build(region, WordSize::Eight, &a, |a, b| page.write(a, b)).unwrap();
    let (_, aux) = read_back(&page, sp, WordSize::Eight);
    assert_eq!(
        aux.iter().map(|p| p.0).collect::<Vec<_>>(),
        [6, 9, 16, 25, 0]
    );
}

#[test]
fn arguments_too_big_for_the_region_are_refused() {
    let long = "x".repeat(200);
    let region = TOP - 128..TOP;
    let mut page = Page::new(&region);
    let err = build(region, WordSize::Eight, &args(&[&long]), |a, b| {
        page.write(a, b)
    })
    .unwrap_err();
    assert!(matches!(err, StackError::TooSmall { size: 128, .. }));
}

#[test]
fn a_refused_write_is_reported_with_its_address() {
    let region = TOP - 4096..TOP;
    let err = build(region, WordSize::Eight, &args(&["a"]), |_, _| {
        Err(WriteFault)
    })
    .unwrap_err();
    assert!(matches!(err, StackError::Unwritable { .. }));
}

#[test]
fn random_bytes_differ_for_different_counters_and_halves() {
    let (a, b) = (random_from(1), random_from(2));
    assert_ne!(a, b);
    assert_ne!(a[..8], a[8..]);
}
