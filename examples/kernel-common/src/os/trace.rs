//! The `[trace]` timeline: one line per protocol event.
//!
//! ```text
//! [trace] Hardware | trap into OS
//! [trace] OS       | do work of syscall 64
//! ```
//!
//! The column is OSTEP's figure column, the text is the event's `Display`,
//! the same words the simulator prints.

use ldex_core::{Column, Event};

use crate::console::{Console, print};

/// The column's name, as the figures head it.
pub fn column_name(column: Column) -> &'static str {
    match column {
        Column::Os => "OS",
        Column::Hardware => "Hardware",
        Column::Program => "Program",
    }
}

/// Print `event` as one `[trace]` line.
#[cold]
#[inline(never)]
pub fn print_event<C: Console + ?Sized>(console: &C, event: &Event) {
    print(
        console,
        format_args!("[trace] {:<8} | {event}\n", column_name(event.column())),
    );
}
