//! `ldex-fuzz TARGET [FILE|DIR...]`
//!
//! Built by `cargo afl build` (`--cfg fuzzing`), it is the program AFL++
//! runs: its persistent loop hands TARGET one input after another in the
//! same process. Built plainly, it runs TARGET once on each FILE (and on
//! each file in each DIR): how to replay a crash AFL++ saved, with the
//! panic message and a backtrace.

use std::process::ExitCode;

use ldex_fuzz::{TARGETS, Target, find};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(target) = args.first().and_then(|name| find(name)) else {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "usage: ldex-fuzz TARGET [FILE|DIR...]\ntargets: {}",
            names.join(" ")
        );
        return ExitCode::from(2);
    };
    run(target, &args[1..])
}

#[cfg(fuzzing)]
fn run(target: &'static Target, _: &[String]) -> ExitCode {
    afl::fuzz!(|data: &[u8]| (target.run)(data));
    ExitCode::SUCCESS
}

#[cfg(not(fuzzing))]
fn run(target: &'static Target, paths: &[String]) -> ExitCode {
    use ldex_fuzz::files_in;
    use std::path::Path;

    for path in paths.iter().map(Path::new) {
        let files = if path.is_dir() {
            match files_in(path) {
                Ok(files) => files,
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        } else {
            vec![path.to_path_buf()]
        };
        for file in files {
            match std::fs::read(&file) {
                Ok(data) => {
                    println!("{} {}", target.name, file.display());
                    (target.run)(&data);
                }
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
