//! The riscv backend of ldex (in progress).
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]
