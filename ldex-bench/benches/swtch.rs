//! The kernel's context switch on the host: the real `ldex-arch-x86_64`
//! round trip (resume a partner, which suspends straight back) next to
//! corosensei's resume + yield round trip, in the same criterion run so that
//! both meet the same machine load.
//!
//! Both sides do the same job: leave one stack for another and come back,
//! with a call into the other side paired with a return out of it, so the
//! return-stack predictor follows both.
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

/// The partner: suspend straight back to the main side, forever.
extern "C-unwind" fn partner(arg: usize) -> ! {
    let pair = arg as *mut Pair;
    loop {
        // SAFETY: `pair` is the leaked Pair that `ldex_swtch` made; the main
        // side's resume of `partner` brought us here and has not returned.
        unsafe { Context::suspend(&raw mut (*pair).partner, &raw mut (*pair).main) };
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
            // SAFETY: the partner is a context on its own leaked stack,
            // made by `new` or suspended back to `main`, and suspends at once.
            unsafe { Context::resume(&raw mut (*pair).main, &raw mut (*pair).partner) }
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
