//! The conformance kit's host checks: what ring 3 can run of x86_64's
//! boundary (the switch, the frame accessors).

// The test thread switches only between the kit's own contexts.
ldex_conformance::unprivileged_tests!(super::Kit);
