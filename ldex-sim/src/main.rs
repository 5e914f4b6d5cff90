//! `ldex-sim`: run a scenario on the simulated machine and print the
//! protocol's timeline. See `ldex-sim --help`.

use std::process::ExitCode;

use ldex_sim::cli::{self, USAGE};
use ldex_sim::{parse, scenario};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("ostep") {
        let code = ldex_sim::ostep::cli(&argv[1..]);
        return ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    let args = match cli::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ldex-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (name, text) = match &args.scenario {
        None => ("default".to_string(), scenario::DEFAULT.to_string()),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => (path.clone(), t),
            Err(e) => {
                eprintln!("ldex-sim: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut sc = match parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ldex-sim: {name}:{e}");
            return ExitCode::from(2);
        }
    };
    let s = &mut sc.settings;
    if let Some(p) = &args.policy {
        s.policy = p.clone();
    }
    if let Some(q) = args.quantum {
        s.quantum = q;
    }
    if args.cooperative {
        s.preemptive = false;
    }
    if let Some(l) = args.cpu_limit {
        s.cpu_limit = Some(l);
    }
    if let Some(n) = args.cpus {
        s.cpus = n;
    }
    s.record_timeline = !args.trace_off || args.svg.is_some();
    let report = match ldex_sim::run(&sc) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ldex-sim: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", ldex_sim::render::header(&name, &sc.settings));
    if !args.trace_off {
        print!("\n{}", report.timeline.render());
    }
    print!("\n{}\n{}", report.render_results(), report.render_summary());
    if let Some(path) = &args.svg
        && let Err(e) = std::fs::write(path, ldex_sim::svg::render(&report))
    {
        eprintln!("ldex-sim: cannot write {path}: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
