//! Model checks of the interrupt-safe spin lock under every interleaving loom
//! explores. Run with `RUSTFLAGS="--cfg loom" cargo test -p ldex-core --release
//! --test loom_spinlock` (`cargo xtask test` does).
#![cfg(loom)]

use ldex_core::sync::{NoInterrupts, SpinLock};
use loom::sync::Arc;
use loom::thread;

#[test]
fn two_cpus_never_hold_the_lock_at_once_and_lose_no_update() {
    loom::model(|| {
        let lock = Arc::new(SpinLock::<u32, NoInterrupts>::new(0));
        let other = {
            let lock = lock.clone();
            thread::spawn(move || *lock.lock() += 1)
        };
        *lock.lock() += 1;
        other.join().unwrap();
        assert_eq!(*lock.lock(), 2);
    });
}

#[test]
fn try_lock_fails_only_while_another_holder_exists() {
    loom::model(|| {
        let lock = Arc::new(SpinLock::<u32, NoInterrupts>::new(0));
        let holder = {
            let lock = lock.clone();
            thread::spawn(move || {
                let mut g = lock.lock();
                *g += 1;
            })
        };
        if let Some(mut g) = lock.try_lock() {
            *g += 10;
        }
        holder.join().unwrap();
        let v = *lock.lock();
        assert!(v == 1 || v == 11, "an update was lost: {v}");
    });
}

#[test]
fn holders_in_turn_never_see_a_half_done_update() {
    loom::model(|| {
        let lock = Arc::new(SpinLock::<[u32; 2], NoInterrupts>::new([0, 0]));
        let other = {
            let lock = lock.clone();
            thread::spawn(move || {
                let mut g = lock.lock();
                // Both halves change together; no holder may see them differ.
                assert_eq!(g[0], g[1]);
                g[0] += 1;
                g[1] += 1;
            })
        };
        {
            let mut g = lock.lock();
            assert_eq!(g[0], g[1]);
            g[0] += 1;
            g[1] += 1;
        }
        other.join().unwrap();
        assert_eq!(*lock.lock(), [2, 2]);
    });
}
