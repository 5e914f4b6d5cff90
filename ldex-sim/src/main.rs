//! `ldex-sim`: command-line entry.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("ostep") => ldex_sim::ostep::cli(&args[1..]),
        _ => {
            eprintln!("usage: ldex-sim ostep FILE [--text]");
            2
        }
    };
    std::process::exit(code);
}
