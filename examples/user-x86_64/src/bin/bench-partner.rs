//! The other half of `bench`'s yield round trip: yields 5000 times, then
//! exits 0.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::bench::yield_partner(5000)
}
