//! The conformance kit's checks that an unprivileged aarch64 Linux process
//! can run under qemu-user: the switch and the frame accessors.

// The test thread switches only between the kit's own contexts.
ldex_conformance::unprivileged_tests!(super::Kit);
