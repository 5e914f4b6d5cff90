//! The x86_64 backend of ldex (in progress).
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]
