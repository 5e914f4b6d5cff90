use std::vec;
use std::vec::Vec;

use super::*;

/// A property: its name and value.
type Prop<'a> = (&'a str, Vec<u8>);

/// A node: its name, properties and children.
struct Tree<'a> {
    name: &'a str,
    props: Vec<Prop<'a>>,
    children: Vec<Tree<'a>>,
}

fn node<'a>(name: &'a str, props: Vec<Prop<'a>>, children: Vec<Tree<'a>>) -> Tree<'a> {
    Tree {
        name,
        props,
        children,
    }
}

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn text(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().next_multiple_of(4), 0);
}

fn emit(tree: &Tree<'_>, structure: &mut Vec<u8>, strings: &mut Vec<u8>) {
    structure.extend(u32s(&[BEGIN_NODE]));
    structure.extend(text(tree.name));
    pad(structure);
    for (name, value) in &tree.props {
        let name_off = strings.len() as u32;
        strings.extend(text(name));
        structure.extend(u32s(&[PROP, value.len() as u32, name_off]));
        structure.extend(value);
        pad(structure);
    }
    for child in &tree.children {
        emit(child, structure, strings);
    }
    structure.extend(u32s(&[END_NODE]));
}

/// The blob of `tree`, laid out as dtc and QEMU lay it out.
fn blob(tree: &Tree<'_>) -> Vec<u8> {
    let (mut structure, mut strings) = (Vec::new(), Vec::new());
    emit(tree, &mut structure, &mut strings);
    structure.extend(u32s(&[END]));
    let rsvmap = HEADER_LEN as u32;
    let struct_off = rsvmap + 16;
    let strings_off = struct_off + structure.len() as u32;
    let total = strings_off + strings.len() as u32;
    let mut out = u32s(&[
        MAGIC,
        total,
        struct_off,
        strings_off,
        rsvmap,
        17,
        16,
        0,
        strings.len() as u32,
        structure.len() as u32,
    ]);
    out.extend([0; 16]);
    out.extend(structure);
    out.extend(strings);
    out
}

/// QEMU virt's tree, cut to what the kernel reads: two address and size
/// cells, the timebase on /cpus.
fn virt() -> Tree<'static> {
    node(
        "",
        vec![("#address-cells", u32s(&[2])), ("#size-cells", u32s(&[2]))],
        vec![
            node(
                "chosen",
                vec![
                    ("bootargs", text("trace cpulimit=5")),
                    ("linux,initrd-start", u32s(&[0, 0x8820_0000])),
                    ("linux,initrd-end", u32s(&[0, 0x8820_0174])),
                ],
                vec![],
            ),
            node(
                "memory@80000000",
                vec![
                    ("device_type", text("memory")),
                    ("reg", u32s(&[0, 0x8000_0000, 0, 0x0800_0000])),
                ],
                vec![],
            ),
            node(
                "cpus",
                vec![
                    ("#address-cells", u32s(&[1])),
                    ("#size-cells", u32s(&[0])),
                    ("timebase-frequency", u32s(&[10_000_000])),
                ],
                vec![node("cpu@0", vec![("reg", u32s(&[0]))], vec![])],
            ),
        ],
    )
}

const BASE: usize = 0x8700_0000;

#[test]
fn a_qemu_virt_tree_gives_ram_timebase_command_line_and_initrd() {
    let b = blob(&virt());
    let info = read(&b, BASE).unwrap();
    assert_eq!(
        info,
        BootInfo {
            bootargs: "trace cpulimit=5",
            initrd: Some(0x8820_0000..0x8820_0174),
            timebase_hz: 10_000_000,
            ram: 0x8000_0000..0x8800_0000,
            dtb: BASE..BASE + b.len(),
            harts: Harts::new(&[0]),
        }
    );
}

#[test]
fn the_harts_are_the_regs_of_the_cpus_not_disabled_in_tree_order() {
    let cpu = |name, reg: u32, status: Option<&str>| {
        let mut props = vec![("reg", u32s(&[reg]))];
        if let Some(status) = status {
            props.push(("status", text(status)));
        }
        node(name, props, vec![])
    };
    let mut tree = virt();
    tree.children[2] = node(
        "cpus",
        vec![("timebase-frequency", u32s(&[10_000_000]))],
        vec![
            cpu("cpu@3", 3, None),
            cpu("cpu@1", 1, Some("disabled")),
            cpu("cpu@0", 0, Some("okay")),
        ],
    );
    let b = blob(&tree);
    let info = read(&b, BASE).unwrap();
    assert_eq!(info.harts.ids(), [3, 0]);
}

#[test]
fn one_cells_and_a_timebase_on_the_cpu_are_read_too() {
    let tree = node(
        "",
        vec![("#address-cells", u32s(&[1])), ("#size-cells", u32s(&[1]))],
        vec![
            node(
                "memory",
                vec![("reg", u32s(&[0x8000_0000, 0x1000]))],
                vec![],
            ),
            node(
                "cpus",
                vec![],
                vec![node(
                    "cpu@0",
                    vec![("timebase-frequency", u32s(&[0, 1_000_000]))],
                    vec![node("interrupt-controller", vec![], vec![])],
                )],
            ),
        ],
    );
    let b = blob(&tree);
    let info = read(&b, BASE).unwrap();
    assert_eq!(info.ram, 0x8000_0000..0x8000_1000);
    assert_eq!(info.timebase_hz, 1_000_000);
    assert_eq!((info.bootargs, info.initrd), ("", None));
}

#[test]
fn a_tree_without_memory_cpu_or_timebase_is_refused_by_name() {
    let mut tree = virt();
    tree.children.retain(|n| n.name != "memory@80000000");
    assert_eq!(read(&blob(&tree), BASE), Err(DtbError::NoMemory));

    let mut tree = virt();
    tree.children[2].children.clear();
    assert_eq!(read(&blob(&tree), BASE), Err(DtbError::NoCpu));

    let mut tree = virt();
    tree.children[2].props.pop();
    assert_eq!(read(&blob(&tree), BASE), Err(DtbError::NoTimebase));
}

#[test]
fn a_tree_without_a_timebase_is_read_with_the_one_given() {
    let mut tree = virt();
    tree.children[2].props.pop();
    let (without, with) = (blob(&tree), blob(&virt()));
    let info = read_with_timebase(&without, BASE, 62_500_000).unwrap();
    assert_eq!(info.timebase_hz, 62_500_000);
    assert_eq!(info.ram, read(&with, BASE).unwrap().ram);
}

#[test]
fn bad_property_values_are_refused_not_truncated() {
    let mut tree = virt();
    tree.children[0].props[2].1 = u32s(&[0, 0x8810_0000]);
    assert_eq!(
        read(&blob(&tree), BASE),
        Err(DtbError::BadProperty("linux,initrd-end"))
    );

    let mut tree = virt();
    tree.children[1].props[1].1 = u32s(&[0, 0x8000_0000, 0]);
    assert_eq!(read(&blob(&tree), BASE), Err(DtbError::BadProperty("reg")));

    let mut tree = virt();
    tree.children[1].props[1].1 = u32s(&[u32::MAX, u32::MAX, u32::MAX, u32::MAX]);
    let wraps = read(&blob(&tree), BASE).unwrap_err();
    assert_eq!(wraps, DtbError::BadProperty("reg"));

    let mut tree = virt();
    tree.props[0].1 = u32s(&[3]);
    assert_eq!(
        read(&blob(&tree), BASE),
        Err(DtbError::BadProperty("#address-cells"))
    );
}

#[test]
fn a_bad_header_is_refused() {
    let good = blob(&virt());
    let mut bad_magic = good.clone();
    bad_magic[0] ^= 1;
    assert_eq!(read(&bad_magic, BASE), Err(DtbError::BadHeader));
    assert_eq!(
        read(&good[..good.len() - 1], BASE),
        Err(DtbError::BadHeader)
    );
    assert_eq!(read(&good[..20], BASE), Err(DtbError::BadHeader));
    let mut struct_past_end = good.clone();
    struct_past_end[36..40].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(read(&struct_past_end, BASE), Err(DtbError::BadHeader));
}

#[test]
fn every_cut_or_flipped_byte_of_a_tree_is_refused_or_read_never_a_panic() {
    let good = blob(&virt());
    for len in 0..good.len() {
        let mut cut = good[..len].to_vec();
        if len >= 8 {
            cut[4..8].copy_from_slice(&(len as u32).to_be_bytes());
        }
        let _ = read(&cut, BASE);
    }
    for at in 0..good.len() {
        for bit in 0..8 {
            let mut flipped = good.clone();
            flipped[at] ^= 1 << bit;
            let _ = read(&flipped, BASE);
        }
    }
}

#[test]
fn a_property_name_outside_the_strings_block_is_malformed() {
    let mut b = blob(&virt());
    let first_prop = HEADER_LEN + 16 + 8;
    assert_eq!(&b[first_prop..first_prop + 4], &u32s(&[PROP])[..]);
    b[first_prop + 8..first_prop + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        read(&b, BASE),
        Err(DtbError::Malformed { offset: first_prop })
    );
}
