//! The kernel's context switch on the host: the real `ldex-arch-x86_64`
//! swtch round trip (A -> B -> A) next to corosensei's resume + yield round
//! trip, in the same criterion run so that both meet the same machine load.
//!
//! Both sides do the same job: leave one stack for another and come back.
//! swtch is symmetric: each side calls it, it saves the six callee-saved
//! registers and rsp and returns on the other stack. corosensei is
//! asymmetric: resume calls into the coroutine (updating the parent link
//! its `Yielder` follows), yield returns to just after that call, and its
//! inline asm saves only the registers live at the call site.
//!
//! A third row runs swtch from a context into itself: the same instructions
//! without a change of stack, which shows what the stack change costs.
//!
//! Run: `cargo bench -p ldex-bench --bench swtch` (part of `cargo xtask bench`).

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn.

use corosensei::{Coroutine, Yielder};
use criterion::{Criterion, criterion_group, criterion_main};
use ldex_arch_x86_64::Context;
use ldex_core::Context as _;

/// The two saved contexts of a ping-pong; boxed so their address holds.
struct Pair {
    main: Context,
    partner: Context,
}

/// A kernel stack for the partner context, 16-aligned.
#[repr(C, align(16))]
struct Stack([u8; 64 * 1024]);

/// The partner: switch straight back to the main side, forever.
extern "C-unwind" fn partner(arg: usize) -> ! {
    let pair = arg as *mut Pair;
    loop {
        // SAFETY: `pair` is the leaked Pair that `ldex_swtch` made; the
        // main side saved itself there in the switch that brought us here.
        unsafe { Context::switch(&raw mut (*pair).partner, &raw const (*pair).main) };
    }
}

fn ldex_swtch(c: &mut Criterion) {
    // Leaked: the partner stays parked on its stack after the benchmark.
    let stack: &'static mut Stack = Box::leak(Box::new(Stack([0; 64 * 1024])));
    let top = stack.0.as_mut_ptr_range().end;
    let pair: &'static mut Pair = Box::leak(Box::new(Pair {
        main: Context::EMPTY,
        partner: Context::EMPTY,
    }));
    let pair: *mut Pair = pair;
    // SAFETY: `pair` is leaked, so it outlives the partner.
    unsafe { (*pair).partner = Context::new(partner, pair as usize, top) };
    let mut g = c.benchmark_group("swtch round trip");
    g.bench_function("ldex swtch", |b| {
        b.iter(|| {
            // SAFETY: the partner is a valid context on its own stack and
            // switches back at once; `main` is saved before it runs.
            unsafe { Context::switch(&raw mut (*pair).main, &raw const (*pair).partner) }
        })
    });
    // The same instructions without leaving the stack: swtch saves into the
    // context it then loads, so its `ret` goes back to its own caller.
    g.bench_function("ldex swtch to itself", |b| {
        b.iter(|| {
            // SAFETY: saving and then loading the same context resumes the
            // caller right after the call, with every register restored.
            unsafe { Context::switch(&raw mut (*pair).main, &raw const (*pair).main) }
        })
    });
    g.finish();
}

fn corosensei_resume_yield(c: &mut Criterion) {
    let mut co: Coroutine<(), (), ()> = Coroutine::new(|y: &Yielder<(), ()>, ()| {
        loop {
            y.suspend(());
        }
    });
    let mut g = c.benchmark_group("swtch round trip");
    g.bench_function("corosensei resume+yield", |b| b.iter(|| co.resume(())));
    g.finish();
}

criterion_group!(benches, ldex_swtch, corosensei_resume_yield);
criterion_main!(benches);
