//! The other half of `bench`'s yield round trip: yields in a tight loop a
//! few more times than `bench` samples, then exits.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::bench::yield_partner(310)
}
